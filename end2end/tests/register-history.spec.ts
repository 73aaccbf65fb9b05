import { expect, test } from "@playwright/test";
import { expectNoAxeViolations, expectNoHorizontalScroll } from "./a11y";

// Runs in all four projects: with and without JavaScript, desktop and phone.
// The register's history: a system page links to every version of its entry, and the
// public change feed lists the register's changes, newest first.

test("a system page links to its entry's history, which lists its versions", async ({ page, isMobile }) => {
  await page.goto("/systems/central-station-cctv");
  const facts = page.getByRole("main");
  await expect(facts.getByText("Entry last changed", { exact: true })).toBeVisible();
  // Signed out, following the entry's changes starts with signing in.
  await expect(facts.getByRole("link", { name: "Sign in to follow changes to this system" })).toHaveAttribute(
    "href",
    "/login",
  );
  await facts.getByRole("link", { name: "See every change", exact: true }).click();
  await expect(page).toHaveURL(/\/systems\/central-station-cctv\/history$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("History of this entry");
  const versions = page.getByRole("main").getByRole("listitem");
  await expect(versions.first()).toContainText("Added to the register");
  await expect(page.getByRole("main").getByRole("link", { name: "Station CCTV cameras", exact: true })).toHaveAttribute(
    "href",
    "/systems/central-station-cctv",
  );
  await expectNoAxeViolations(page);
  if (isMobile) {
    await expectNoHorizontalScroll(page);
  }
});

test("the register's change feed lists changes and offers Atom and JSON", async ({ page, isMobile }) => {
  await page.goto("/register/changes");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Register changes");
  await expect(page.getByRole("link", { name: "Follow as a feed (Atom)" })).toHaveAttribute(
    "href",
    "/register/changes.atom",
  );
  await expect(page.getByRole("link", { name: "Open data (JSON)" })).toHaveAttribute(
    "href",
    "/api/v1/register/changes?lang=en",
  );
  const first = page.getByRole("main").locator("ol.versions > li").first();
  await expect(first.getByRole("link")).toHaveAttribute("href", /^\/systems\/[a-z0-9-]+\/history$/);
  await expectNoAxeViolations(page);
  if (isMobile) {
    await expectNoHorizontalScroll(page);
  }
  const atom = await page.request.get("/register/changes.atom");
  expect(atom.headers()["content-type"]).toContain("application/atom+xml");
  expect(await atom.text()).toContain("<feed xmlns=\"http://www.w3.org/2005/Atom\">");
});

test("the history of an unknown system is a 404 page", async ({ page }) => {
  const response = await page.goto("/systems/no-such-system/history");
  expect(response?.status()).toBe(404);
});
