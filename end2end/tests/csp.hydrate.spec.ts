import { expect, request, test, type Page, type Response } from "@playwright/test";

// Needs the WebAssembly app to hydrate. The no-JavaScript projects ignore
// *.hydrate.spec.ts in playwright.config.ts; the skip below is a second guard.
//
// Proves the hydrated app works under the Content Security Policy: the policy
// uses a per-response nonce (no 'unsafe-inline' for scripts), interactive code
// runs, and the browser reports no violation while it does.

// The 44 systems of server/demo/city.toml and the 4 new ones proposed through public review (reviews.toml).
const TOTAL_SYSTEMS = 48;
const WRONG_CREDENTIALS = "The email or password is not right. Check both and try again.";

type CspWindow = Window & { __cspViolations?: string[]; __marker?: number };

/** Collects CSP violations from the page (event listener) and from the console. */
function watchCsp(page: Page): { consoleMessages: string[]; violations: () => Promise<string[]> } {
  const consoleMessages: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) {
      consoleMessages.push(`console.${msg.type()}: ${msg.text()}`);
    }
  });
  return {
    consoleMessages,
    violations: () => page.evaluate(() => (window as CspWindow).__cspViolations ?? []),
  };
}

async function installViolationListener(page: Page): Promise<void> {
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      ((window as CspWindow).__cspViolations ||= []).push(e.violatedDirective + " " + e.blockedURI),
    );
  });
}

/** The main response must carry a nonce-based CSP without 'unsafe-inline' for scripts. */
async function expectNonceCsp(response: Response | null): Promise<void> {
  expect(response, "navigation returned no response").not.toBeNull();
  const csp = await response!.headerValue("content-security-policy");
  expect(csp, `no content-security-policy header on ${response!.url()}`).not.toBeNull();
  const directives = new Map(
    csp!
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name.toLowerCase(), sources] as const),
  );
  const scriptSrc = directives.get("script-src") ?? directives.get("default-src");
  expect(scriptSrc, `CSP has neither script-src nor default-src: ${csp}`).toBeDefined();
  expect(
    scriptSrc!.some((s) => s.startsWith("'nonce-")),
    `script-src has no 'nonce-…' source: ${csp}`,
  ).toBe(true);
  expect(scriptSrc, `script-src allows 'unsafe-inline': ${csp}`).not.toContain("'unsafe-inline'");
}

async function expectNoCspViolations(
  page: Page,
  watch: ReturnType<typeof watchCsp>,
): Promise<void> {
  expect(await watch.violations(), `securitypolicyviolation events on ${page.url()}`).toEqual([]);
  expect(watch.consoleMessages, `CSP console messages on ${page.url()}`).toEqual([]);
}

function systemsFound(text: string): number | null {
  const match = text.match(/Systems found:\s*(\d+)/);
  return match ? Number(match[1]) : null;
}

test.describe("Content Security Policy with the hydrated app", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "hydration needs JavaScript");

  test("the register's live filters run under a nonce-based CSP without violations", async ({
    page,
  }) => {
    const watch = watchCsp(page);
    await installViolationListener(page);

    const response = await page.goto("/systems", { waitUntil: "load" });
    await expectNonceCsp(response);
    // No hydration flag: once the network is idle the wasm has been fetched and run.
    await page.waitForLoadState("networkidle");
    const status = page.getByRole("status");
    await expect(status).toHaveText(/Systems found:\s*\d+\s*$/);

    await page.evaluate(() => {
      (window as CspWindow).__marker = 1;
    });

    // Choosing a technology, without pressing "Show systems", only does
    // something if the hydrated code runs.
    await page.getByLabel("Technology", { exact: true }).selectOption({ label: "Smart meter" });
    await expect(page).toHaveURL(/[?&]technology=smart_meter(&|$)/, { timeout: 5_000 });
    await expect(async () => {
      const text = (await status.textContent()) ?? "";
      const count = systemsFound(text);
      expect(count, `count line reads "${text}"`).not.toBeNull();
      expect(count).not.toBe(TOTAL_SYSTEMS);
    }).toPass({ timeout: 5_000 });
    expect(
      await page.evaluate(() => (window as CspWindow).__marker),
      "choosing a technology reloaded the page",
    ).toBe(1);

    await expectNoCspViolations(page, watch);
  });

  test("the sign-in form reports a wrong password without a page load and without violations", async ({
    page,
    baseURL,
  }) => {
    // A fresh resident, created outside the browser so the page stays signed out.
    const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const email = `e2e-csp-${id}@example.org`;
    const api = await request.newContext({ baseURL });
    try {
      const created = await api.post("/fn/auth/sign_up", {
        form: {
          display_name: `E2E CSP ${id}`,
          email,
          password: "quiet lantern orchard river",
          lang: "en",
        },
        maxRedirects: 0,
      });
      expect(created.status(), `sign-up answered ${created.status()}`).toBeLessThan(400);
    } finally {
      await api.dispose();
    }

    const watch = watchCsp(page);
    await installViolationListener(page);

    const response = await page.goto("/login", { waitUntil: "load" });
    await expectNonceCsp(response);
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");

    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("not the right password at all");
    await page.evaluate(() => {
      (window as CspWindow).__marker = 1;
    });
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
    expect(
      await page.evaluate(() => (window as CspWindow).__marker),
      "submitting the sign-in form did a full page load",
    ).toBe(1);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sign in");

    await expectNoCspViolations(page, watch);
  });
});
