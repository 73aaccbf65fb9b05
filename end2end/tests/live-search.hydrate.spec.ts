import { expect, test } from "@playwright/test";

// Needs the WebAssembly app to hydrate. The no-JavaScript projects ignore
// *.hydrate.spec.ts in playwright.config.ts; the skip below is a second guard.

// The 44 systems of server/demo/city.toml and the 4 new ones proposed through public review (reviews.toml).
const TOTAL_SYSTEMS = 48;

test.describe("Live search in the register", () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "live search needs JavaScript (hydration)");

  test("typing and choosing filters updates the results without a submit or page reload", async ({
    page,
  }) => {
    const consoleErrors: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") {
        consoleErrors.push(`console.error: ${msg.text()} (at ${msg.location().url || "unknown location"})`);
      }
    });
    page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));

    await page.goto("/systems", { waitUntil: "load" });
    // The app exposes no hydration flag; once the network is idle the wasm
    // bundle has been fetched and hydrate() has run.
    await page.waitForLoadState("networkidle");
    // At least the demo's systems (other specs may have proposed more meanwhile).
    await expect(page.getByRole("status")).toHaveText(/Systems found:\s*\d+\s*$/);

    // A marker on window survives client-side navigation but not a reload.
    await page.evaluate(() => {
      (window as unknown as { __e2eNoReload: boolean }).__e2eNoReload = true;
    });
    const stillSamePage = () =>
      page.evaluate(() => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload === true);

    const search = page.getByLabel("Search", { exact: true });
    await search.click();
    await search.pressSequentially("library", { delay: 50 });

    await expect(page).toHaveURL(/[?&]q=library(&|$)/, { timeout: 5_000 });
    await expect(
      page.getByRole("main").locator('a[href="/systems/library-cards"]'),
    ).toBeVisible({ timeout: 5_000 });
    await expect(async () => {
      const text = (await page.getByRole("status").textContent()) ?? "";
      const match = text.match(/Systems found:\s*(\d+)/);
      expect(match, `count line reads "${text}"`).not.toBeNull();
      expect(Number(match![1])).toBeLessThan(TOTAL_SYSTEMS);
    }).toPass({ timeout: 5_000 });
    await expect(search).toHaveValue("library");
    expect(await stillSamePage(), "typing in Search reloaded the page").toBe(true);

    await page.getByLabel("Legal basis", { exact: true }).selectOption({ label: "Your consent" });
    await expect(page).toHaveURL(/[?&]basis=consent(&|$)/, { timeout: 5_000 });
    expect(await stillSamePage(), "choosing a legal basis reloaded the page").toBe(true);

    expect(consoleErrors, "console errors during live search").toEqual([]);
  });
});
