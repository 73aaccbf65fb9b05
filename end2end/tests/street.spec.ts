import { expect, test, type Locator, type Page } from "@playwright/test";
import { expectNoAxeViolations, expectNoHorizontalScroll } from "./a11y";
import { expectAccessible, fillSignUp, freshResident, h1, open, submitSignUp, watchPageErrors } from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// The street pages: /map (every located device of the demo city, on a map drawn on the
// server and as a list) and /s/{code} (one device's page, where a sign's QR code leads). Both
// are plain server HTML with no island, so they work the same with and without JavaScript;
// the report form is an ordinary form post answered by a redirect.
//
// All four projects run against one server from one address, and a passer-by may send at
// most 5 device reports a day per address: each project sends one report, with a text of its
// own. The demo resident Ana is not signed in here (sign-in is limited per email and other
// specs sign her in): the signed-in test signs up a fresh resident.

const DEVICE = "dt-cam-01";
const DEVICE_PAGE = `/s/${DEVICE}`;
const DEVICE_LABEL = "Market Square, north side";
/** Every located device of server/demo/city.toml. */
const ALL_DEVICES = 58;
/** An air-quality sensor: it does not identify people. */
const SENSOR = "aq-01";

const MINE = /^In the last 30 days, (\d+) checks or queries through this system named you\.$/;
const SUPPRESSION =
  'Counts from 1 to 4 are shown as "fewer than 5" so that no one can be singled out; the figures cover the whole system, not only this device.';
const REPORT_SENT =
  "Thank you: your report is in the privacy office's queue. Its answer will be public on the reports page.";
const SIGN_IN_LINK = "Sign in to see whether your data was queried through this system";

/** The project's name as a slug part (desktop-nojs, phone-js…). */
function projectTag(): string {
  return test
    .info()
    .project.name.toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** A text no other run or project uses. */
function unique(prefix: string): string {
  return `${prefix} ${Date.now()}-${Math.random().toString(36).slice(2, 8)}-${projectTag()}`;
}

/** The value after the `<dt>` whose text is `term`, in the device's facts. */
function fact(page: Page, term: string): Locator {
  return page
    .locator("dl.facts dt")
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator("xpath=following-sibling::dd[1]");
}

/** The "Devices shown: N of M" line, read as numbers. */
async function deviceCount(page: Page): Promise<{ shown: number; all: number }> {
  const count = page.getByTestId("device-count");
  await expect(count).toHaveText(/^\s*Devices shown: \d+ of \d+\s*$/);
  const [, shown, all] = ((await count.textContent()) ?? "").match(/(\d+) of (\d+)/)!;
  return { shown: Number(shown), all: Number(all) };
}

/** The device list's rows. */
function deviceRows(page: Page): Locator {
  return page.getByTestId("device-list").locator("tbody tr");
}

/** The device list's link to device `code`. */
function deviceLink(page: Page, code: string): Locator {
  return page.getByTestId("device-list").locator(`a[href="/s/${code}"]`);
}

test("a passer-by reads a camera's page from its sign, reports a problem, and the report is public", async ({
  page,
}) => {
  test.slow();
  const errors = watchPageErrors(page);

  // The sign's QR code leads to the short address.
  await open(page, DEVICE_PAGE);
  await expect(h1(page)).toHaveCount(1);
  await expect(h1(page)).toHaveText(DEVICE_LABEL);
  await expect(page).toHaveTitle(new RegExp(DEVICE_LABEL));

  // What it is, who runs it, whether it identifies people.
  await expect(page.locator("article.device .eyebrow")).toHaveText("CCTV camera");
  const system = fact(page, "Part of").getByRole("link", { name: "Downtown CCTV cameras", exact: true });
  await expect(system).toHaveAttribute("href", "/systems/downtown-cctv");
  await expect(fact(page, "Run by")).toHaveText("Riverton Police Department");
  await expect(fact(page, "Identifies people")).toHaveText("Yes");
  await expect(page.getByTestId("identifies")).toHaveText("Yes");
  await expect(fact(page, "How long data is kept")).not.toBeEmpty();
  await expect(page.getByRole("heading", { level: 2, name: "Why it is used", exact: true })).toBeVisible();

  // The last 30 days of the system's figures: one row per declared purpose, and every count
  // a number or "fewer than 5".
  await expect(
    page.getByRole("heading", { level: 2, name: "What agencies asked in the last 30 days", exact: true }),
  ).toBeVisible();
  const figures = page.getByTestId("device-figures");
  await expect(figures).toBeVisible();
  await expect(figures.locator("thead th")).toHaveText([
    "Purpose",
    "Checks permitted",
    "Checks denied",
    "Data queries permitted",
    "Data queries denied",
  ]);
  const rows = figures.locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const purposes = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-purpose")));
  for (const key of ["incident-investigation", "live-event-safety", "footage-requests"]) {
    expect(purposes, `a figures row for purpose ${key}`).toContain(key);
  }
  const cells = (await figures.locator("tbody td").allTextContents()).map((c) => c.trim());
  expect(cells.length, "figure cells").toBe((await rows.count()) * 4);
  for (const cell of cells) expect(cell, "a figure cell").toMatch(/^(\d+|fewer than 5)$/);
  await expect(page.getByText(SUPPRESSION, { exact: true })).toBeVisible();

  // A stranger is offered a sign-in to see their own entries.
  const signIn = page.getByRole("link", { name: SIGN_IN_LINK, exact: true });
  await expect(signIn).toHaveAttribute("href", `/login?next=${DEVICE_PAGE}`);
  await expect(page.getByTestId("mine")).toHaveCount(0);

  // The printable signs.
  await expect(page.getByRole("link", { name: "A4", exact: true })).toHaveAttribute(
    "href",
    `${DEVICE_PAGE}/sign.svg?size=a4`,
  );
  await expect(page.getByRole("link", { name: "A6", exact: true })).toHaveAttribute(
    "href",
    `${DEVICE_PAGE}/sign.svg?size=a6`,
  );

  // Reporting a problem needs no account. The form is an ordinary post (no island on the
  // page), answered by a redirect back to the device's report section.
  await expect(page.getByTestId("report-sent")).toHaveCount(0);
  const body = unique("The camera on Market Square points into a flat window");
  await page.getByLabel(/^What is wrong\?/).fill(body);
  await page.getByRole("button", { name: "Send the report", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/s/${DEVICE}\\?sent=[^#&]+#report$`));
  await expect(page.getByTestId("report-sent")).toHaveText(REPORT_SENT);
  await expect(page.getByRole("status").filter({ hasText: REPORT_SENT })).toBeVisible();
  await expect(h1(page)).toHaveText(DEVICE_LABEL);
  await expectAccessible(page);

  // The report is public, with a link back to the device.
  await open(page, "/register/reports");
  const item = page.getByTestId("problem-reports").locator("li", { hasText: body });
  await expect(item).toHaveCount(1);
  await expect(item.locator(`a[href="${DEVICE_PAGE}"]`)).toHaveText(DEVICE);
  await item.locator(`a[href="${DEVICE_PAGE}"]`).click();
  await expect(page).toHaveURL(new RegExp(`${DEVICE_PAGE}$`));
  await expect(h1(page)).toHaveText(DEVICE_LABEL);

  expect(errors, "page or console errors").toEqual([]);
});

test("the map lists every device and filters them by whether they identify people", async ({ page }) => {
  test.slow();
  const errors = watchPageErrors(page);

  await open(page, "/map");
  await expect(h1(page)).toHaveCount(1);
  await expect(h1(page)).toHaveText("Map of the city's cameras and sensors");
  expect(await deviceCount(page)).toEqual({ shown: ALL_DEVICES, all: ALL_DEVICES });
  await expect(deviceRows(page)).toHaveCount(ALL_DEVICES);

  // The map is a picture for pointing: hidden from screen readers, its marks out of the Tab
  // order; the list holds the same devices.
  const map = page.getByTestId("city-map");
  await expect(map).toHaveAttribute("aria-hidden", "true");
  const marks = map.locator('a[href^="/s/"]');
  await expect(marks).toHaveCount(ALL_DEVICES);
  expect(
    await marks.evaluateAll((links) => links.filter((a) => a.getAttribute("tabindex") !== "-1").length),
    "map marks reachable by Tab",
  ).toBe(0);
  await expect(deviceLink(page, DEVICE)).toHaveText(DEVICE_LABEL);
  await expect(deviceLink(page, SENSOR)).toHaveCount(1);

  // Only devices that do not identify people.
  const identifies = page.getByLabel("Identifies people", { exact: true });
  await expect(identifies).toHaveValue("");
  await identifies.selectOption({ label: "Does not identify people" });
  await page.getByRole("button", { name: "Show devices", exact: true }).click();
  await expect(page).toHaveURL(/\/map\?(.*&)?identifies=no(&|$)/);
  if (test.info().project.use.javaScriptEnabled !== false) await page.waitForLoadState("networkidle");
  await expect(page.getByLabel("Identifies people", { exact: true })).toHaveValue("no");
  const filtered = await deviceCount(page);
  expect(filtered.all).toBe(ALL_DEVICES);
  expect(filtered.shown).toBeGreaterThan(0);
  expect(filtered.shown).toBeLessThan(ALL_DEVICES);
  await expect(deviceRows(page)).toHaveCount(filtered.shown);
  await expect(map.locator('a[href^="/s/"]')).toHaveCount(filtered.shown);
  await expect(deviceLink(page, DEVICE)).toHaveCount(0);
  await expect(map.locator(`a[href="${DEVICE_PAGE}"]`)).toHaveCount(0);
  await expect(deviceLink(page, SENSOR)).toHaveCount(1);
  // The list's fourth column says whether the device identifies people: "No" on every row.
  const answers = (await deviceRows(page).locator("td:nth-child(4)").allTextContents()).map((t) => t.trim());
  expect(new Set(answers)).toEqual(new Set(["No"]));
  await expectAccessible(page);

  // The list's first link leads to that device's page.
  const first = deviceRows(page).first().locator("td").first().getByRole("link");
  const href = await first.getAttribute("href");
  expect(href, "the first device's link").toMatch(/^\/s\/[a-z0-9-]+$/);
  const label = ((await first.textContent()) ?? "").trim();
  await first.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(h1(page)).toHaveText(label);
  await expect(page.getByTestId("identifies")).toHaveText("No");

  expect(errors, "page or console errors").toEqual([]);
});

test("a signed-in resident sees how often the system named them, and the way to their access log", async ({
  page,
}) => {
  test.slow();
  const errors = watchPageErrors(page);
  const resident = freshResident();
  await fillSignUp(page, resident);
  await submitSignUp(page);

  // From the device page's sign-in link.
  await open(page, DEVICE_PAGE);
  await page.getByRole("link", { name: SIGN_IN_LINK, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/login\\?next=${DEVICE_PAGE}$`));
  await expect(h1(page)).toHaveText("Sign in");
  await page.getByLabel("Email", { exact: true }).fill(resident.email);
  await page.getByLabel("Password", { exact: true }).fill(resident.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // Sign-in returns to the page whose link asked for it (`next`), with JavaScript or without.
  await expect(page).toHaveURL(new RegExp(`/s/${DEVICE}$`), { timeout: 15_000 });
  await expect(h1(page)).toHaveText(DEVICE_LABEL);
  const mine = page.getByTestId("mine");
  await expect(mine).toHaveText(MINE);
  // A new resident: no check or query has named them yet.
  expect(((await mine.textContent()) ?? "").match(MINE)?.[1]).toBe("0");
  await expect(
    page.getByRole("link", { name: "Read every query about you in your access log", exact: true }),
  ).toHaveAttribute("href", "/my/access-log");
  await expect(page.getByRole("link", { name: SIGN_IN_LINK, exact: true })).toHaveCount(0);
  await expectAccessible(page);

  await page.getByRole("link", { name: "Read every query about you in your access log", exact: true }).click();
  await expect(page).toHaveURL(/\/my\/access-log$/);
  await expect(h1(page)).toHaveText("Who asked about you");

  expect(errors, "page or console errors").toEqual([]);
});

test.describe("at 320 px wide", () => {
  test.beforeEach(async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 720 });
  });

  for (const path of ["/map", DEVICE_PAGE]) {
    test(`${path} passes axe and does not scroll sideways`, async ({ page }) => {
      const errors = watchPageErrors(page);
      await open(page, path);
      await expect(h1(page)).toHaveCount(1);
      await expectNoHorizontalScroll(page);
      await expectNoAxeViolations(page);
      expect(errors, "page or console errors").toEqual([]);
    });
  }
});

test("an unknown device code answers 404 with a readable page", async ({ page }) => {
  const response = await page.goto("/s/no-such-device");
  expect(response, "navigation returned no response").not.toBeNull();
  expect(response!.status()).toBe(404);
  await expect(h1(page)).toHaveText("Page not found");
  await expectAccessible(page);
});

test("a device's printable signs are SVG images", async ({ request }) => {
  for (const path of [
    `${DEVICE_PAGE}/sign.svg?size=a6&lang=es,ar`,
    `${DEVICE_PAGE}/sign.svg?size=a4`,
    `${DEVICE_PAGE}/sign.svg?size=a6`,
  ]) {
    const response = await request.get(path);
    expect(response.status(), `GET ${path}`).toBe(200);
    expect(response.headers()["content-type"], `GET ${path}`).toMatch(/^image\/svg\+xml(;|$)/);
    expect(await response.text(), `GET ${path}`).toContain("<svg");
  }
  // Signs exist only for devices there are.
  expect((await request.get("/s/no-such-device/sign.svg?size=a6")).status()).toBe(404);
});
