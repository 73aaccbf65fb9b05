// Measures page weight against the budgets of scripts/budgets.sh.
//   node measure.mjs BASE_URL PKG_DIR
// PKG_DIR holds the optimised bundle (glasshouse.js, glasshouse_bg.wasm) and the stylesheet.
// Static files count brotli-compressed at quality 11, as the release build precompresses
// them; HTML counts as the server sends it to a browser that accepts brotli.
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { brotliCompressSync, brotliDecompressSync, gzipSync, constants } from "node:zlib";

const [base, pkg] = process.argv.slice(2);
const KB = 1000;
const WASM_BUDGET = 150 * KB;
const FIRST_LOAD_BUDGET = 100 * KB;
// Each page with its first-load budget: the map (issue 16) and a device's page, opened from
// a sign on a phone, are held to 60 KB.
const PAGES = [
  ["/", FIRST_LOAD_BUDGET],
  ["/systems", FIRST_LOAD_BUDGET],
  ["/map", 60 * KB],
  ["/s/dt-cam-01", 60 * KB],
];

const brotli = (bytes) =>
  brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

function sizes(file) {
  const bytes = readFileSync(`${pkg}/${file}`);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotli(bytes) };
}

const files = readdirSync(pkg);
const find = (test, what) => {
  const name = files.find(test);
  if (!name) throw new Error(`budgets: no ${what} in ${pkg}`);
  return name;
};
const wasm = sizes(find((f) => f.endsWith(".wasm"), "WebAssembly"));
const js = sizes(find((f) => f.endsWith(".js"), "JavaScript glue"));
const css = sizes(find((f) => f.endsWith(".css"), "stylesheet"));

/** The page as a browser gets it: its bytes on the wire (brotli) and its text. */
function fetchPage(path) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { "Accept-Encoding": "br", Accept: "text/html" } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const wire = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`budgets: GET ${path} answered ${res.statusCode}`));
        const encoding = res.headers["content-encoding"] ?? "identity";
        const text = (encoding === "br" ? brotliDecompressSync(wire) : wire).toString("utf8");
        resolve({ wire: wire.length, encoding, text });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

let failed = false;
const row = (name, s) => console.log(`  ${name.padEnd(22)} ${String(s.raw).padStart(9)} ${String(s.gzip).padStart(9)} ${String(s.brotli).padStart(9)}`);
console.log(`  ${"file".padEnd(22)} ${"raw".padStart(9)} ${"gzip".padStart(9)} ${"brotli".padStart(9)}`);
row("WebAssembly", wasm);
row("JavaScript glue", js);
row("stylesheet", css);
const wasmOk = wasm.brotli <= WASM_BUDGET;
failed ||= !wasmOk;
console.log(`${wasmOk ? "ok" : "OVER BUDGET"}: WebAssembly ${wasm.brotli} bytes brotli (budget ${WASM_BUDGET})`);

for (const [path, budget] of PAGES) {
  const page = await fetchPage(path);
  const islands = page.text.includes("<leptos-island");
  // The stylesheet always; the glue and the WebAssembly only where the loader fetches them.
  const total = page.wire + css.brotli + (islands ? js.brotli + wasm.brotli : 0);
  const ok = total <= budget && page.encoding === "br";
  failed ||= !ok;
  console.log(
    `${ok ? "ok" : "OVER BUDGET"}: first load of ${path}: ${total} bytes = HTML ${page.wire} (${page.encoding}) + CSS ${css.brotli}` +
      (islands ? ` + JS ${js.brotli} + WASM ${wasm.brotli}` : " (no island: no JS, no WASM)") +
      ` (budget ${budget})`,
  );
}
process.exit(failed ? 1 : 0);
