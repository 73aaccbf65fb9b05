import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

export const AXE_TAGS = [
  "wcag2a",
  "wcag2aa",
  "wcag21a",
  "wcag21aa",
  "best-practice",
];

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;

/**
 * axe-core runs inside the page and hangs when the page has JavaScript
 * disabled (dequelabs/axe-core-npm#529). For the no-JavaScript projects we
 * therefore audit a copy: the current DOM of the page under test is served at
 * the same URL to a script-enabled page with the same viewport, while every
 * script and wasm request is aborted, so the app cannot hydrate and axe sees
 * exactly what a visitor without JavaScript sees (with the real stylesheet).
 */
async function analyzeWithoutPageScripts(page: Page): Promise<AxeResults> {
  const browser = page.context().browser();
  if (!browser) throw new Error("cannot run axe: page has no browser");
  const use = test.info().project.use;
  const url = page.url();
  const html = await page.content();
  const context = await browser.newContext({
    viewport: page.viewportSize(),
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    deviceScaleFactor: use.deviceScaleFactor,
    colorScheme: use.colorScheme,
    locale: use.locale,
    javaScriptEnabled: true,
  });
  try {
    const copy = await context.newPage();
    const documentUrl = url.split("#")[0];
    await copy.route("**/*", async (route) => {
      const request = route.request();
      if (request.isNavigationRequest() && request.url().split("#")[0] === documentUrl) {
        await route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
      } else if (request.resourceType() === "script" || /\.wasm(\?|$)/.test(request.url())) {
        await route.abort();
      } else {
        await route.continue();
      }
    });
    await copy.goto(url, { waitUntil: "load" });
    return await new AxeBuilder({ page: copy }).withTags(AXE_TAGS).analyze();
  } finally {
    await context.close();
  }
}

/**
 * Runs axe-core on the current page and fails with a readable list of
 * violations: rule id, impact, help text and the selectors of every node.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const jsEnabled = test.info().project.use.javaScriptEnabled !== false;
  const results = jsEnabled
    ? await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()
    : await analyzeWithoutPageScripts(page);
  const report = results.violations.map((v) => {
    const targets = v.nodes
      .map((n) => `    - ${n.target.map((t) => JSON.stringify(t)).join(" > ")}`)
      .join("\n");
    return `[${v.id}] (${v.impact ?? "unknown impact"}) ${v.help}\n  ${v.helpUrl}\n${targets}`;
  });
  expect(
    results.violations,
    `axe found ${results.violations.length} violation(s) on ${page.url()}:\n${report.join("\n")}`,
  ).toEqual([]);
}

/** On phones the page must not scroll sideways. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(
    scrollWidth,
    `page ${page.url()} scrolls horizontally: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`,
  ).toBeLessThanOrEqual(innerWidth);
}
