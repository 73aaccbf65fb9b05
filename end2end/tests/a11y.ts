import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const AXE_TAGS = [
  "wcag2a",
  "wcag2aa",
  "wcag21a",
  "wcag21aa",
  "best-practice",
];

/**
 * Runs axe-core on the current page and fails with a readable list of
 * violations: rule id, impact, help text and the selectors of every node.
 */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
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
