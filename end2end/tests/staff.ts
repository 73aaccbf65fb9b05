import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";

// Staff accounts for the end-to-end specs: created through the operator's command line, as
// a city's operator does, and the authenticator app's codes (RFC 6238) computed here.

/** Where the operator's command line reaches the server's database (set by scripts/test.sh). */
export function operatorCli(): { bin: string; databaseUrl: string; dataDir: string } | null {
  const bin = process.env.E2E_GLASSHOUSE_BIN;
  const databaseUrl = process.env.E2E_DATABASE_URL;
  const dataDir = process.env.E2E_DATA_DIR;
  return bin && databaseUrl && dataDir ? { bin, databaseUrl, dataDir } : null;
}

export const NO_OPERATOR_CLI_MESSAGE =
  "E2E_GLASSHOUSE_BIN, E2E_DATABASE_URL and E2E_DATA_DIR are not set: scripts/test.sh exports " +
  "them so a spec can run `glasshouse admin ...` against the server's database";

/** Runs `glasshouse admin <args>` with `input` on standard input; returns what it printed. */
function admin(args: string[], input = ""): string {
  const cli = operatorCli();
  if (!cli) throw new Error(NO_OPERATOR_CLI_MESSAGE);
  return execFileSync(cli.bin, ["admin", ...args], {
    input,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      RUST_LOG: "warn",
      DATABASE_URL: cli.databaseUrl,
      GLASSHOUSE_DATA_DIR: cli.dataDir,
      GLASSHOUSE_MODE: "development",
    },
  });
}

export type Staff = { email: string; password: string; enrolmentCode: string };

/**
 * A fresh officer who must enrol an authenticator: `admin create-user`, then
 * `admin reset-second-factor`, which prints the one-time enrolment code (where staff's second
 * factor is optional, as in the end-to-end server, create-user issues none).
 */
export function freshStaffWithEnrolmentCode(): Staff {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const email = `e2e-2fa-${id}@example.org`;
  const password = "amber compass heron meadow";
  admin(["create-user", "--role", "officer", "--email", email, "--name", "E2E Staff"], `${password}\n`);
  const reset = admin(["reset-second-factor", "--email", email]);
  const enrolmentCode = reset.match(/^enrolment code: (\S+)$/m)?.[1];
  if (!enrolmentCode) throw new Error(`no enrolment code printed:\n${reset}`);
  return { email, password, enrolmentCode };
}

/** RFC 4648 base32, as authenticator apps read a secret (spaces ignored). */
export function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes: number[] = [];
  let value = 0;
  let bits = 0;
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The six digits an authenticator app shows for `secret` at `atMs` (RFC 6238: HMAC-SHA1, 30 s). */
export function totp(secret: Buffer, atMs = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const mac = createHmac("sha1", secret).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}
