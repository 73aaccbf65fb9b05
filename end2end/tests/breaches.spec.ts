import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import {
  Agency,
  NO_CLIENT_MESSAGE,
  apiClient,
  expectAccessible,
  freshSignedUpResident,
  h1,
  jsEnabled,
  open,
  watchPageErrors,
} from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// The breach register: an officer opens an incident on the 72-hour clock, sees the residents
// it affects computed, records the regulator decision, tells the residents and closes it; the
// residents find a card on /my, and the closed incident is public on /breaches. And the
// public statistics, /stats, with their open data.
//
// These pages are server HTML with plain forms (no island): every step is a form post
// answered by a redirect, with and without JavaScript.
//
// All four projects run against one server and database. Each project's incident is on the
// public Wi-Fi, over a window around now, and each project names a fresh resident of its own
// in the decision log through the agency API: every incident's affected residents include
// the other projects' residents too, so the count is read from the page (never assumed), and
// a notice sent while another project added a resident is refused for its count and tried
// again once. Sign-in is limited to 5 attempts a minute per email and address, and other
// specs sign in the officers and Ana too: the officer and Ana sign in once per test, through
// the sign-in server function, waiting when told to.

const OFFICER = {
  email: process.env.E2E_OFFICER_EMAIL ?? "privacy.officer@riverton.example",
  password: process.env.E2E_OFFICER_PASSWORD ?? "riverton demo officer",
};
const ANA = { email: "ana.garcia@riverton.example", password: "riverton demo resident" };

const SYSTEM = "public-wifi";
const SYSTEM_NAME = "RivertonFree public Wi-Fi";
/** A purpose of the public Wi-Fi (on a contract: the check is logged whatever it answers). */
const PURPOSE = "providing-access";

/** The demo city's one closed incident (server/src/demo/breach.rs), on library cards. */
const DEMO_BREACH = "Library card renewal letters sent to previous addresses";
const DEMO_SYSTEM = "Library card and catalogue account";

const CARD_TITLE = "A data breach concerns you";
const CARD_ADVICE =
  "If you have questions, or want to know what data of yours was involved, file an access request from your privacy requests page.";
const AFFECTED = /^(\d+) residents are affected: (\d+) enrolled with a system concerned, (\d+) named in the decision log for one within the window \(some may be both\)\.$/;
const REASONS_REQUIRED = "Not notifying the regulator needs written reasons of at least 20 characters.";
const COUNT_MISMATCH = /^You confirmed (\d+) residents, but (\d+) are affected now: check the count above and confirm it again\.$/;
const FEWER_THAN_5 = "fewer than 5";

test.describe.configure({ timeout: 180_000 });

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

/** A second browser with the project's settings (viewport, touch, JavaScript on or off). */
async function secondVisitor(browser: Browser): Promise<BrowserContext> {
  const use = test.info().project.use;
  return browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    javaScriptEnabled: use.javaScriptEnabled,
  });
}

/**
 * Signs `account` in through the sign-in server function, into the page's context: the
 * session cookie is the browser's. Another spec or project may have signed the same account
 * in a moment ago (5 a minute per email and address): on 429 it waits as told, and tries again.
 */
async function signInQuietly(page: Page, account: { email: string; password: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const response = await page.request.post("/fn/auth/sign_in", { form: account, maxRedirects: 0 });
    if (response.status() === 429 && attempt < 3) {
      const wait = Number(response.headers()["retry-after"] ?? "10");
      await new Promise((resolve) => setTimeout(resolve, (Math.min(wait, 30) + 1) * 1000));
      continue;
    }
    expect(response.status(), `signing in ${account.email}: ${await response.text()}`).toBeLessThan(400);
    break;
  }
  const cookies = (await page.context().cookies()).filter((c) => c.name === "gh_session" && c.value !== "");
  expect(cookies, `a session for ${account.email}`).toHaveLength(1);
}

/** `at` as a `datetime-local` value in UTC, to the minute (`YYYY-MM-DDTHH:MM`). */
function utcMinute(at: Date): string {
  return at.toISOString().slice(0, 16);
}

/** The value after the `<dt>` whose text is `term`, in `scope` (a list of facts, or holding one). */
function fact(scope: Locator, term: string): Locator {
  return scope
    .locator("dt")
    .filter({ hasText: new RegExp(`^${term}$`) })
    .locator("xpath=following-sibling::dd[1]");
}

/** How a count of residents told is published: the number, or "fewer than 5" from 1 to 4. */
function published(n: number): string {
  return n >= 1 && n < 5 ? FEWER_THAN_5 : String(n);
}

/** The computed count on the incident's page (the page must be open). */
async function affectedCount(page: Page): Promise<{ affected: number; enrolled: number; queried: number }> {
  const line = page.getByTestId("affected-count");
  await expect(line).toHaveText(AFFECTED);
  const [, affected, enrolled, queried] = ((await line.textContent()) ?? "").trim().match(AFFECTED)!;
  return { affected: Number(affected), enrolled: Number(enrolled), queried: Number(queried) };
}

test("an officer works a breach from opening to the public list, and the affected resident finds its card", async ({
  page,
  browser,
  request,
}) => {
  test.slow();
  const client = apiClient();
  test.skip(!client, NO_CLIENT_MESSAGE);
  const errors = watchPageErrors(page);
  const title = unique("E2E: Wi-Fi connection logs copied to an unprotected share");
  const description = "A copy of the connection logs was left on a file share that every city employee could read.";
  const containment = "The share was locked the same hour and the copy deleted.";
  const summary = unique("E2E summary: the copy was deleted, and nobody outside the city opened it.");

  // A fresh resident, named in the decision log about the public Wi-Fi through the API: from
  // now on they are among the residents any incident on the Wi-Fi around now affects.
  const { number } = await freshSignedUpResident(page);
  const agency = new Agency(request, client!);
  const answer = await agency.check(number, SYSTEM, PURPOSE);
  expect(answer.decision_id, "the check was logged").toBeTruthy();

  // The officer, in a browser of their own.
  const officerContext = await secondVisitor(browser);
  const officer = await officerContext.newPage();
  const officerErrors = watchPageErrors(officer);
  await signInQuietly(officer, OFFICER);

  // The desk: the incidents and the form to open one.
  await open(officer, "/admin/breaches");
  await expect(h1(officer)).toHaveText("Breach register");
  // The demo city's closed incident is listed, with its status rather than a clock.
  const demoItem = officer.getByTestId("breach-list").locator("li[data-breach]", { hasText: DEMO_BREACH });
  await expect(demoItem).toHaveCount(1);
  await expect(demoItem.locator("[data-urgency]")).toHaveText("Closed");
  await expect(demoItem.getByTestId("breach-clock")).toHaveCount(0);
  const form = officer.getByTestId("open-breach");
  await expect(form).toBeVisible();
  for (const id of ["#b-detected", "#b-start", "#b-end"]) {
    await expect(form.locator(id)).toHaveAttribute("type", "datetime-local");
  }
  await expectAccessible(officer);

  // An incident on the public Wi-Fi, detected now, over a window from a few minutes ago to a
  // few minutes ahead (UTC).
  const now = Date.now();
  await officer.getByLabel("Title", { exact: true }).fill(title);
  await officer.getByLabel("What happened", { exact: true }).fill(description);
  await form.locator("#b-detected").fill(utcMinute(new Date(now)));
  await form.locator("#b-start").fill(utcMinute(new Date(now - 5 * 60_000)));
  await form.locator("#b-end").fill(utcMinute(new Date(now + 5 * 60_000)));
  const wifi = form.getByRole("checkbox", { name: SYSTEM_NAME, exact: true });
  await expect(wifi).toHaveAttribute("name", `fields[system.${SYSTEM}]`);
  await wifi.check();
  await form.locator('input[name="fields[category.device_network]"]').check();
  await form.locator('input[name="fields[category.location]"]').check();
  await officer.getByLabel("What was done to contain it", { exact: true }).fill(containment);
  await officer.getByRole("button", { name: "Open the incident", exact: true }).click();
  await expect(officer).toHaveURL(/\/admin\/breaches\/[^/?#]+$/);
  const id = new URL(officer.url()).pathname.split("/").pop()!;
  const casePath = `/admin/breaches/${id}`;
  if (jsEnabled()) await officer.waitForLoadState("networkidle");

  // The incident's page: open, on a green clock (72 hours from detection).
  await expect(h1(officer)).toHaveText(title);
  const status = officer.getByTestId("breach-status");
  await expect(status).toContainText("Open");
  const clock = status.getByTestId("breach-clock");
  await expect(clock).toHaveAttribute("data-urgency", "green");
  await expect(clock).toHaveText(/^7[12] h left$/);
  await expect(fact(officer.getByRole("main"), "Systems concerned")).toHaveText(SYSTEM_NAME);

  // The residents it affects, computed now: the fresh resident among them (the letters list
  // names each one).
  const first = await affectedCount(officer);
  expect(first.affected, "the fresh resident is affected").toBeGreaterThanOrEqual(1);
  expect(first.queried, "the fresh resident was named in the log").toBeGreaterThanOrEqual(1);
  const letters = officer.getByTestId("letters");
  await expect(letters).toHaveAttribute("href", `${casePath}/letters.csv`);
  const csv = await officer.request.get(`${casePath}/letters.csv`);
  expect(csv.status(), "the letters answered").toBe(200);
  expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
  expect(csv.headers()["content-disposition"]).toContain("attachment");
  const rows = (await csv.text()).trim().split(/\r?\n/);
  expect(rows[0]).toBe("resident_number,name,postal_address,language,notice");
  expect(rows.some((row) => row.startsWith(`${number},`)), `the letters list ${number}`).toBe(true);
  // The draft report to the regulator.
  const draft = officer.getByTestId("regulator-draft");
  await expect(fact(draft, "Nature of the breach")).toHaveText(description);
  await expect(fact(draft, "Approximate number of people")).toHaveText(/^\d+$/);
  await expect(fact(draft, "Data protection officers to contact")).not.toBeEmpty();
  await expect(officer.getByTestId("decide-breach")).toBeVisible();
  await expect(officer.getByTestId("notify-breach")).toHaveCount(0);
  await expectAccessible(officer);

  // It is on the desk, on its green clock, and its link leads back to it.
  await open(officer, "/admin/breaches");
  const item = officer.getByTestId("breach-list").locator(`li[data-breach="${id}"]`);
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId("breach-clock")).toHaveAttribute("data-urgency", "green");
  const link = item.getByRole("link", { name: title, exact: true });
  await expect(link).toHaveAttribute("href", casePath);
  await link.click();
  await expect(officer).toHaveURL(new RegExp(`${casePath}$`));
  if (jsEnabled()) await officer.waitForLoadState("networkidle");
  await expect(h1(officer)).toHaveText(title);

  // Not notifying the regulator needs reasons: "no" is refused, and the incident stays open.
  const decide = officer.getByTestId("decide-breach");
  await decide.locator("#b-decision").selectOption("not_notify");
  await decide.locator("#b-reasons").fill("no");
  await officer.getByRole("button", { name: "Record the decision", exact: true }).click();
  await expect(officer.getByRole("alert").filter({ hasText: REASONS_REQUIRED })).toBeVisible();
  await open(officer, casePath);
  await expect(officer.getByTestId("breach-status")).toContainText("Open");
  await expect(officer.getByTestId("breach-clock")).toHaveAttribute("data-urgency", "green");
  await expect(officer.getByTestId("decide-breach")).toBeVisible();
  await expect(officer.getByTestId("regulator-decision")).toHaveCount(0);
  await expect(officer.getByTestId("notify-breach")).toHaveCount(0);

  // The regulator is notified: the clock stops, and the residents can be told.
  await decide.locator("#b-decision").selectOption("notify");
  await decide.locator("#b-consequences").fill("Someone inside the city could have seen where a device connected.");
  await decide.locator("#b-measures").fill("Access to the share is reviewed every month.");
  await officer.getByRole("button", { name: "Record the decision", exact: true }).click();
  await expect(officer).toHaveURL(new RegExp(`${casePath}\\?done=decided$`));
  if (jsEnabled()) await officer.waitForLoadState("networkidle");
  await expect(officer.getByTestId("breach-status")).toContainText("Regulator decision recorded");
  await expect(officer.getByTestId("breach-clock")).toHaveCount(0);
  await expect(officer.getByTestId("regulator-decision")).toHaveText("The regulator is notified");
  await expect(officer.getByTestId("decide-breach")).toHaveCount(0);
  const notifyForm = officer.getByTestId("notify-breach");
  await expect(notifyForm).toBeVisible();

  // A count that is not the one shown is refused, and nobody is told.
  const shown = await affectedCount(officer);
  await notifyForm.locator("#b-confirmed").fill(String(shown.affected + 1000));
  await officer.getByRole("button", { name: "Send the notices", exact: true }).click();
  await expect(officer.getByRole("alert").filter({ hasText: COUNT_MISMATCH })).toBeVisible();
  await open(officer, casePath);
  await expect(officer.getByTestId("breach-status")).toContainText("Regulator decision recorded");
  await expect(officer.getByTestId("notified")).toHaveCount(0);
  await expect(officer.getByTestId("notify-breach")).toBeVisible();

  // The count shown, confirmed: the notices go out. Another project may name a resident in
  // the window meanwhile; then the count is refused, read again and confirmed once more.
  let told = 0;
  for (let attempt = 0; attempt < 2 && told === 0; attempt++) {
    const { affected } = await affectedCount(officer);
    await officer.getByTestId("notify-breach").locator("#b-confirmed").fill(String(affected));
    await officer.getByRole("button", { name: "Send the notices", exact: true }).click();
    const notified = officer.getByTestId("notified");
    const refused = officer.getByRole("alert").filter({ hasText: COUNT_MISMATCH });
    await expect(notified.or(refused)).toBeVisible();
    if (await notified.isVisible()) {
      told = affected;
    } else if (attempt === 0) {
      await open(officer, casePath);
    }
  }
  expect(told, "the notices were sent on the count shown").toBeGreaterThanOrEqual(1);
  await expect(officer).toHaveURL(new RegExp(`${casePath}\\?done=notified$`));
  if (jsEnabled()) await officer.waitForLoadState("networkidle");
  await expect(officer.getByTestId("notified")).toHaveText(`${told} residents were told.`);
  await expect(officer.getByTestId("breach-status")).toContainText("Residents told");
  await expect(officer.getByTestId("notify-breach")).toHaveCount(0);
  await expect(fact(officer.getByTestId("regulator-draft"), "Approximate number of people")).toHaveText(String(told));

  // Closed with a public summary.
  const closeForm = officer.getByTestId("close-breach");
  await expect(closeForm).toBeVisible();
  await closeForm.locator("#b-summary").fill(summary);
  await officer.getByRole("button", { name: "Close and publish", exact: true }).click();
  await expect(officer).toHaveURL(new RegExp(`${casePath}\\?done=closed$`));
  if (jsEnabled()) await officer.waitForLoadState("networkidle");
  await expect(officer.getByTestId("breach-status")).toContainText("Closed");
  await expect(officer.getByTestId("close-breach")).toHaveCount(0);
  await expect(officer.getByTestId("notified")).toHaveText(`${told} residents were told.`);
  await expectAccessible(officer);
  expect(officerErrors, "the officer's page or console errors").toEqual([]);
  await officerContext.close();

  // The affected resident finds the card on /my.
  await open(page, "/my");
  await expect(h1(page)).toHaveText("Your data");
  const cards = page.getByTestId("breach-cards");
  await expect(cards).toBeVisible();
  await expect(page.getByRole("region", { name: CARD_TITLE, exact: true })).toBeVisible();
  const card = cards.locator(`article[data-breach="${id}"]`);
  await expect(card).toHaveCount(1);
  await expect(card.getByRole("heading", { level: 2 })).toHaveText(title);
  await expect(fact(card, "Systems concerned")).toHaveText(SYSTEM_NAME);
  await expect(fact(card, "What happened")).toHaveText(description);
  await expect(card).toContainText(CARD_ADVICE);
  // A resident's card is not the public one: no count, no summary.
  await expect(fact(card, "Residents told")).toHaveCount(0);
  await expectAccessible(page);

  // The closed incident is public.
  await open(page, "/breaches");
  await expect(h1(page)).toHaveText("Data breaches");
  const publicCard = page.getByTestId("public-breaches").locator(`article[data-breach="${id}"]`);
  await expect(publicCard).toHaveCount(1);
  await expect(publicCard.getByRole("heading", { level: 2 })).toHaveText(title);
  await expect(fact(publicCard, "Systems concerned")).toHaveText(SYSTEM_NAME);
  await expect(fact(publicCard, "Residents told")).toHaveText(published(told));
  await expect(fact(publicCard, "The regulator")).toHaveText("Notified");
  await expect(fact(publicCard, "Public summary")).toHaveText(summary);
  await expect(publicCard).not.toContainText(CARD_ADVICE);
  expect(errors, "page or console errors").toEqual([]);
});

test("Ana finds the card of the demo city's breach on /my", async ({ page }) => {
  const errors = watchPageErrors(page);
  // The one sign-in of the demo resident in this spec, per project. Read-only.
  await signInQuietly(page, ANA);
  await open(page, "/my");
  await expect(h1(page)).toHaveText("Your data");
  const cards = page.getByTestId("breach-cards");
  await expect(cards).toBeVisible();
  await expect(cards.getByRole("heading", { level: 2, name: CARD_TITLE, exact: true })).toBeVisible();
  const card = cards.getByTestId("breach-card").filter({ hasText: DEMO_BREACH });
  await expect(card).toHaveCount(1);
  await expect(card.getByRole("heading", { level: 2 })).toHaveText(DEMO_BREACH);
  await expect(fact(card, "Systems concerned")).toHaveText(DEMO_SYSTEM);
  await expect(card).toContainText(CARD_ADVICE);
  expect(errors, "page or console errors").toEqual([]);
});

test("a passer-by reads the city's statistics and their open data, and the closed breaches", async ({
  page,
  request,
}) => {
  test.slow();
  const errors = watchPageErrors(page);
  const today = new Date();
  const year = today.getUTCFullYear();
  const month = (y: number, m: number) => `${y}-${String(m).padStart(2, "0")}`;
  // The month before this one: the demo city's year of activity fills it.
  const last = new Date(Date.UTC(year, today.getUTCMonth() - 1, 1));
  const lastMonth = month(last.getUTCFullYear(), last.getUTCMonth() + 1);

  /** The figures of `y` are on the page: the year chosen, a chart, and every table. */
  async function expectYear(y: number): Promise<void> {
    await expect(page.locator("select#year")).toHaveValue(String(y));
    await expect(page.getByTestId("month-chart")).toBeVisible();
    await expect(page.getByTestId("month-chart")).toHaveAttribute("role", "img");
    for (const table of ["months-checks", "by-system", "reasons", "months-residents", "months-requests"]) {
      await expect(page.getByTestId(table), `the table ${table}`).toBeVisible();
    }
    const months = Array.from({ length: 12 }, (_, i) => month(y, i + 1));
    for (const table of ["months-checks", "months-residents", "months-requests"]) {
      const rows = page.getByTestId(table).locator("tbody tr");
      expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-month"))), table).toEqual(months);
    }
    // Every count is a number or "fewer than 5" (by system: the last two columns, after the
    // agency, system, purpose and kind).
    for (const [table, counts] of [
      ["months-checks", "tbody td"],
      ["by-system", "tbody td:nth-child(n+5)"],
      ["reasons", "tbody td"],
      ["months-residents", "tbody td"],
    ]) {
      const cells = (await page.getByTestId(table).locator(counts).allTextContents()).map((c) => c.trim());
      expect(cells.length, `counts in ${table}`).toBeGreaterThan(0);
      for (const cell of cells) expect(cell, `a cell of ${table}`).toMatch(/^(\d+|fewer than 5)$/);
    }
    // Each link to the open data is for the year shown.
    await expect(page.getByRole("main").getByRole("link", { name: "JSON", exact: true })).toHaveAttribute(
      "href",
      `/api/v1/stats?year=${y}`,
    );
    await expect(page.getByRole("main").getByRole("link", { name: "CSV by month", exact: true })).toHaveAttribute(
      "href",
      `/api/v1/stats.csv?table=months&year=${y}`,
    );
  }

  /** Last month's consent checks permitted: counted in the hundreds. */
  async function expectLastMonthCounted(): Promise<void> {
    const cell = page.getByTestId("months-checks").locator(`tbody tr[data-month="${lastMonth}"] td`).first();
    await expect(cell).toHaveText(/^\d+$/);
    expect(Number(await cell.textContent()), `checks permitted in ${lastMonth}`).toBeGreaterThanOrEqual(100);
  }

  await open(page, "/stats");
  await expect(h1(page)).toHaveText("City statistics");
  await expect(page.getByText("Counts from 1 to 4 are shown as", { exact: false })).toBeVisible();
  await expectYear(year);
  if (last.getUTCFullYear() === year) await expectLastMonthCounted();
  // The year before, through the form.
  await page.locator("select#year").selectOption(String(year - 1));
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/stats\\?year=${year - 1}$`));
  if (jsEnabled()) await page.waitForLoadState("networkidle");
  await expectYear(year - 1);
  if (last.getUTCFullYear() === year - 1) await expectLastMonthCounted();

  // The open data, as the links give it.
  await open(page, "/stats");
  const openData = (name: string) => page.getByRole("main").getByRole("link", { name, exact: true });
  const json = await request.get((await openData("JSON").getAttribute("href"))!);
  expect(json.status(), "the JSON answered").toBe(200);
  expect(json.headers()["content-type"]).toMatch(/^application\/json/);
  const body = await json.json();
  expect(body.year).toBe(year);
  expect(body.months).toHaveLength(12);
  expect(body.months.map((m: { month: string }) => m.month)).toEqual(
    Array.from({ length: 12 }, (_, i) => month(year, i + 1)),
  );
  const csv = await request.get((await openData("CSV by month").getAttribute("href"))!);
  expect(csv.status(), "the CSV answered").toBe(200);
  expect(csv.headers()["content-type"]).toMatch(/^text\/csv/);
  expect((await csv.text()).trim().split(/\r?\n/)).toHaveLength(13);
  await expectAccessible(page);

  // The closed breaches: the demo city's, with how many were told and the regulator notified.
  await open(page, "/breaches");
  await expect(h1(page)).toHaveText("Data breaches");
  const card = page.getByTestId("public-breaches").getByTestId("breach-card").filter({ hasText: DEMO_BREACH });
  await expect(card).toHaveCount(1);
  await expect(card.getByRole("heading", { level: 2 })).toHaveText(DEMO_BREACH);
  await expect(fact(card, "Systems concerned")).toHaveText(DEMO_SYSTEM);
  await expect(fact(card, "Residents told")).toHaveText(FEWER_THAN_5);
  await expect(fact(card, "The regulator")).toHaveText("Notified");
  await expect(fact(card, "Public summary")).not.toBeEmpty();
  // The public page is not a resident's card.
  await expect(card).not.toContainText(CARD_ADVICE);
  await expectAccessible(page);
  expect(errors, "page or console errors").toEqual([]);
});

test("a resident may not open the breach register", async ({ page }) => {
  await freshSignedUpResident(page);
  const response = await page.goto("/admin/breaches", { waitUntil: "load" });
  expect(response, "no response for /admin/breaches").not.toBeNull();
  expect(response!.status()).toBe(403);
  await expect(page.getByTestId("open-breach")).toHaveCount(0);
  await expect(page.getByTestId("breach-list")).toHaveCount(0);
});
