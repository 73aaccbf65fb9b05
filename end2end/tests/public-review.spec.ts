import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { expectAccessible, freshSignedUpResident, h1, open, signIn, watchPageErrors } from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// Public review of a proposed system. The register staff's steps and residents' comments are
// driven through the pages. A period opened today ends at the earliest tomorrow (closing it
// early is refused, and tested), so the end of the story (close, answer, decide, in force) is
// driven on the demo city's proposals whose period has ended: one per project, as each is
// used up, and finished reviews are read from the demo.
//
// All four projects run against one server and database: each proposes its own system
// (unique slug) and comments as its own freshly signed-up resident. Sign-in is limited to
// 5 attempts a minute per email and the accounts spec signs in the demo officer too, so the
// demo officer signs in twice per project here (the journey, and the office's end of the
// story some minutes later), and the demo-data tests are read signed out.

const OFFICER = {
  email: "privacy.officer@riverton.example",
  password: "riverton demo officer",
};

const SECTIONS = ["purpose", "use", "data", "retention", "sharing", "legal_risks", "equity", "cost"] as const;

const SYSTEM_NAME = "Face matching at the ferry terminal (proposed)";
const FIRST_COMMENT = "Please publish how often the matcher flags the wrong person, by age and skin tone.";
const EDITED_COMMENT = "Please publish the false-match rates by age and skin tone before the pilot, and every year.";

/** A slug no other run or project uses. */
function uniqueSlug(): string {
  const project = test.info().project.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `e2e-face-${Date.now()}-${project}`;
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

function facts(page: Page): Locator {
  return page.getByTestId("review-facts");
}

function reportSection(page: Page, code: string): Locator {
  return page.locator(`section[data-section="${code}"]`);
}

function field(page: Page, name: string): Locator {
  return page.locator(`.field[data-field="${name}"]`);
}

/** Fills the new-system form for a facial-recognition system (no algorithmic decisions). */
async function fillNewSystem(page: Page, slug: string, name: string): Promise<void> {
  await page.locator("#f-slug").fill(slug);
  await page.locator("#f-agency").selectOption("riverton-police");
  await page.locator("#f-technology").selectOption("facial_recognition");
  await page.locator("#f-scope").selectOption("public_space");
  await page.locator('input[name="fields[identifies_people]"]').check();
  await expect(page.locator('input[name="fields[algorithmic_decisions]"]')).not.toBeChecked();
  await page.locator("#f-name-en").fill(name);
  await page.locator("#f-name-es").fill("Reconocimiento facial en la terminal de ferris (propuesto)");
  const texts: Record<string, string> = {
    description: "Cameras at the ferry gates compare faces with a watch list of missing people.",
    location: "Riverton ferry terminal, gates 1 to 4.",
    data_subjects: "Everyone who passes the ferry gates.",
    retention: "Face templates that match no one are deleted at once; matches are kept for 30 days.",
    access: "Two trained officers of the missing-persons unit.",
    recipients: "No one outside the police department.",
    transfers: "None: the data stays in the city's data centre.",
    security: "Encrypted at rest; every search is logged.",
  };
  for (const [name, text] of Object.entries(texts)) {
    await page.locator(`#f-${name}-en`).fill(text);
  }
  await page.locator("#f-retention_days").fill("30");
  await page.locator("#f-reviewed_on").fill(new Date().toISOString().slice(0, 10));
  await page.locator("#f-p0-key").fill("missing-people");
  await page.locator("#f-p0-name-en").fill("Finding missing people");
  await page.locator("#f-p0-description-en").fill("Alerts officers when a person reported missing passes a gate.");
  await page.locator("#f-p0-legal_basis").selectOption("public_task");
  await page.locator('input[name="fields[p0.category.biometric]"]').check();
  await page.locator('input[name="fields[p0.category.images_video]"]').check();
}

test("an officer puts a facial-recognition proposal to public review and a resident comments on it", async ({
  page,
  browser,
  request,
}) => {
  test.slow();
  const slug = uniqueSlug();
  const errors = watchPageErrors(page);

  // The register desk, as the demo officer (who has the register role).
  await signIn(page, OFFICER.email, OFFICER.password);
  await open(page, "/admin/register");
  await expect(h1(page)).toHaveText("Keep the register");
  await expect(page.getByTestId("reviews").locator("li[data-stage][data-system]").first()).toBeVisible();
  await expectAccessible(page);
  await page.getByTestId("propose").click();
  await expect(page).toHaveURL(/\/admin\/register\/new$/);
  await expect(h1(page)).toHaveText("Propose a new system");
  await expectAccessible(page);

  // Saved without an English name: the problem shows beside the name, and what was typed is kept.
  await fillNewSystem(page, slug, "");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("form-problems")).toBeVisible();
  await expect(field(page, "name.en")).toHaveAttribute("data-invalid", "true");
  await expect(field(page, "name.en").locator(".field-error")).not.toBeEmpty();
  await expect(page.locator("#f-name-en")).toHaveAttribute("aria-describedby", "f-name-en-problem");
  await expect(field(page, "slug")).toHaveAttribute("data-invalid", "false");
  await expect(page.locator("#f-slug")).toHaveValue(slug);
  await expect(page.locator("#f-technology")).toHaveValue("facial_recognition");
  await expect(page.locator("#f-description-en")).toHaveValue(/watch list of missing people/);
  await expect(page.locator("#f-p0-key")).toHaveValue("missing-people");
  await expect(page.locator('input[name="fields[p0.category.biometric]"]')).toBeChecked();
  await expectAccessible(page);

  // With the name, the new system is saved and goes to its draft review.
  await page.locator("#f-name-en").fill(SYSTEM_NAME);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(/\/reviews\/[0-9a-f]+(\?|$)/);
  const reviewId = new URL(page.url()).pathname.split("/").pop()!;
  const reviewPath = `/reviews/${reviewId}`;
  await expect(h1(page)).toHaveText(`Public review: ${SYSTEM_NAME}`);
  await expect(facts(page)).toHaveAttribute("data-stage", "draft");
  await expect(facts(page)).toContainText("A new system, or one going live");
  const steps = page.locator("section.office-steps");
  await expect(steps).toBeVisible();
  await expectAccessible(page);

  // A draft is the staff's only: listed on the desk, not found by anyone else.
  expect((await request.get(reviewPath)).status()).toBe(404);
  expect(await (await request.get("/reviews")).text()).not.toContain(slug);
  await open(page, "/admin/register");
  await expect(page.getByTestId("reviews").locator(`li[data-system="${slug}"]`)).toHaveAttribute("data-stage", "draft");
  await open(page, reviewPath);

  // The officer writes the impact report, with a comment period of one day, and publishes it.
  await steps.locator("#comment-days").fill("1");
  for (const section of SECTIONS) {
    await steps.locator(`#report-${section}-en`).fill(`The ${section.replace("_", " ")} section of the impact report.`);
  }
  await steps.locator("#report-equity-es").fill("La sección de equidad del informe de impacto.");
  await steps.getByRole("button", { name: "Save the report", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${reviewPath}\\?done=`));
  await expect(steps.locator("#report-equity-en")).toHaveValue("The equity section of the impact report.");
  await expect(steps.locator("#comment-days")).toHaveValue("1");
  await expect(facts(page)).toHaveAttribute("data-stage", "draft");
  await steps.locator('[data-step="publish"]').click();
  await expect(facts(page)).toHaveAttribute("data-stage", "comment");
  await expect(page.getByTestId("open-for-comment")).toBeVisible();
  await expect(steps.locator('[data-step="close"]')).toBeVisible();
  await expect(reportSection(page, "equity")).toContainText("The equity section of the impact report.");

  // The public now reads it; signed out, each section offers to sign in to comment.
  const anonymous = await request.get(reviewPath);
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.text()).toContain(`href="/login?next=/reviews/${reviewId}"`);

  // A resident finds the proposal: its register entry is planned, its review open.
  const residentContext = await secondVisitor(browser);
  const resident = await residentContext.newPage();
  const residentErrors = watchPageErrors(resident);
  await open(resident, `/systems/${slug}`);
  await expect(h1(resident)).toContainText(SYSTEM_NAME);
  await expect(resident.getByRole("main").locator(".status")).toHaveClass(/\bstatus-planned\b/);
  await expect(resident.getByRole("main").locator(".status")).toHaveText("Planned");
  await freshSignedUpResident(resident);
  await open(resident, "/reviews");
  await expect(h1(resident)).toHaveText("Public reviews of proposed systems");
  const listed = resident.getByTestId("reviews").locator(`li[data-system="${slug}"]`);
  await expect(listed).toHaveAttribute("data-stage", "comment");
  await expectAccessible(resident);
  await listed.getByRole("link", { name: SYSTEM_NAME, exact: true }).click();
  await expect(resident).toHaveURL(new RegExp(`${reviewPath}$`));
  await expect(facts(resident)).toHaveAttribute("data-stage", "comment");
  await expect(resident.getByTestId("open-for-comment")).toBeVisible();
  await expect(resident.getByTestId("comment-count")).toHaveText("0");
  await expect(resident.locator("section.office-steps")).toHaveCount(0);
  for (const section of SECTIONS) {
    await expect(reportSection(resident, section).locator(`#comment-${section}`)).toBeVisible();
  }
  await expectAccessible(resident);

  // Comments on the equity section…
  const equity = reportSection(resident, "equity");
  await equity.getByLabel("Your comment on this section", { exact: true }).fill(FIRST_COMMENT);
  await equity.getByRole("button", { name: "Send comment", exact: true }).click();
  const mine = equity.locator('li.comment[data-mine="true"]');
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText(FIRST_COMMENT);
  await expect(resident.getByTestId("comment-count")).toHaveText("1");
  await expect(reportSection(resident, "purpose").locator("li.comment")).toHaveCount(0);

  // …and changes it: the form holds the comment, and the new text replaces it.
  const box = equity.locator("#comment-equity");
  await expect(box).toHaveValue(FIRST_COMMENT);
  await expect(equity.getByLabel("Your comment (you can change it until the period closes)", { exact: true })).toBeVisible();
  await box.fill(EDITED_COMMENT);
  await equity.getByRole("button", { name: "Send comment", exact: true }).click();
  await expect(mine).toContainText(EDITED_COMMENT);
  await expect(mine).not.toContainText(FIRST_COMMENT);
  await expect(equity.locator("li.comment")).toHaveCount(1);
  await expect(resident.getByTestId("comment-count")).toHaveText("1");
  await expect(box).toHaveValue(EDITED_COMMENT);
  await expectAccessible(resident);
  expect(residentErrors).toEqual([]);
  await residentContext.close();

  // The officer sees the comment, not as theirs, and cannot close the period on its last day.
  await open(page, reviewPath);
  await expect(page.getByTestId("comment-count")).toHaveText("1");
  await expect(reportSection(page, "equity").locator('li.comment[data-mine="false"]')).toContainText(EDITED_COMMENT);
  await steps.locator('[data-step="close"]').click();
  await expect(steps.locator(".notice-error")).toBeVisible();
  await expect(steps.locator(".notice-error")).toContainText("The comment period is still open");
  await expect(facts(page)).toHaveAttribute("data-stage", "comment");
  await open(page, reviewPath);
  await expect(facts(page)).toHaveAttribute("data-stage", "comment");
  await expect(page.getByTestId("open-for-comment")).toBeVisible();
  expect(errors).toEqual([]);
});

/** The status of system `slug` in the register's JSON export. */
async function registerStatus(request: APIRequestContext, slug: string): Promise<string> {
  let cursor: string | null = null;
  // Every page, following next_cursor until it is null.
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await request.get(`/api/v1/register/systems?limit=200${query}`);
    expect(response.status()).toBe(200);
    const page = (await response.json()) as { systems: { slug: string; status: string }[]; next_cursor: string | null };
    const found = page.systems.find((s) => s.slug === slug);
    if (found) {
      return found.status;
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
  return "missing";
}

/** The demo's proposals whose comment period has ended, one for each project to take to the end. */
const AWAITING_THE_OFFICE: Record<string, string> = {
  "desktop-js": "bus-lane-cameras",
  "desktop-nojs": "311-virtual-assistant",
  "phone-js": "library-wifi-footfall",
  "phone-nojs": "park-noise-sensors",
};

test("the office closes an ended period, answers the comments, approves, and the system goes live", async ({
  page,
  request,
}) => {
  test.slow();
  const slug = AWAITING_THE_OFFICE[test.info().project.name];
  const errors = watchPageErrors(page);
  // The demo proposal is used up as the test goes; a retry carries on from the stage it reached.
  const stages = /^(comment|review|approved|active)$/;

  // Signed out, the proposal's preview reads as its public entry would, marked as not in force.
  await open(page, "/reviews");
  const listed = page.getByTestId("reviews").locator(`li[data-system="${slug}"]`);
  await expect(listed).toHaveAttribute("data-stage", stages);
  await listed.getByRole("link").click();
  await expect(page).toHaveURL(/\/reviews\/[0-9a-f]+$/);
  const reviewPath = new URL(page.url()).pathname;
  // The period has ended: no one is invited to comment any more.
  await expect(page.getByTestId("open-for-comment")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in to comment on this section" })).toHaveCount(0);
  expect(Number(await page.getByTestId("comment-count").innerText())).toBeGreaterThan(0);
  await page.getByTestId("preview-link").click();
  await expect(page).toHaveURL(new RegExp(`${reviewPath}/preview$`));
  await expect(page.getByTestId("preview-notice")).toBeVisible();
  await expect(page.getByRole("main").locator(".status")).toHaveClass(/\bstatus-active\b/);
  // A preview has no history, follow form or problem reports: it is not an entry yet.
  await expect(page.locator(`a[href="/systems/${slug}/history"]`)).toHaveCount(0);
  await expectAccessible(page);
  await page.getByTestId("preview-notice").getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`${reviewPath}$`));

  await signIn(page, OFFICER.email, OFFICER.password);
  await open(page, reviewPath);
  const steps = page.locator("section.office-steps");
  const stage = async () => (await facts(page).getAttribute("data-stage")) ?? "";

  // The office closes the period…
  if ((await stage()) === "comment") {
    await steps.locator('[data-step="close"]').click();
    await expect(facts(page)).toHaveAttribute("data-stage", "review");
    await expectAccessible(page);
  }
  const today = new Date().toISOString().slice(0, 10);
  const decide = async (outcome: string) => {
    await steps.locator(`input[name="outcome"][value="${outcome}"]`).check();
    await steps.locator("#decided-by").fill("Riverton City Council");
    await steps.locator("#decided-on").fill(today);
    await steps.locator("#reasoning-en").fill("The council found the safeguards in the report sufficient, by 6 votes to 3.");
    await steps.getByRole("button", { name: "Record the decision", exact: true }).click();
  };
  // …may not decide before answering the comments, answers, then decides.
  if ((await stage()) === "review") {
    if ((await page.getByTestId("office-answer").count()) === 0) {
      await decide("approved");
      await expect(steps.locator(".notice-error")).toContainText(
        "Publish the office's answer to the comments before recording the decision.",
      );
      await open(page, reviewPath);
      await expect(facts(page)).toHaveAttribute("data-stage", "review");
      await expect(page.getByTestId("decision")).toHaveCount(0);
      await steps.locator("#answer-en").fill("We read every comment; the retention period is now shorter, as most asked.");
      await steps.getByRole("button", { name: "Publish the answer", exact: true }).click();
      await expect(page.getByTestId("office-answer")).toContainText("the retention period is now shorter");
    }
    await decide("approved");
    await expect(facts(page)).toHaveAttribute("data-stage", "approved");
    await expect(page.getByTestId("decision")).toHaveAttribute("data-outcome", "approved");
    await expect(page.getByTestId("decision")).toContainText("Riverton City Council");
  }
  // Approved is not yet in force: the register still says planned until the office acts.
  if ((await stage()) === "approved") {
    expect(await registerStatus(request, slug)).toBe("planned");
    await steps.locator('[data-step="activate"]').click();
  }
  await expect(facts(page)).toHaveAttribute("data-stage", "active");
  await expectAccessible(page);

  // The entry is in force, its history and the register's changes show it.
  expect(await registerStatus(request, slug)).toBe("active");
  await open(page, `/systems/${slug}`);
  await expect(page.getByRole("main").locator(".status")).toHaveClass(/\bstatus-active\b/);
  await expect(page.getByTestId("system-review")).toHaveAttribute("data-stage", "active");
  await open(page, `/systems/${slug}/history`);
  await expect(page.getByRole("main")).toContainText("Active");
  await open(page, "/register/changes");
  await expect(page.getByRole("main").locator(`a[href="/systems/${slug}/history"]`).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test("an approved proposal is in force, with the office's answer and the decision", async ({ page }) => {
  const errors = watchPageErrors(page);
  await open(page, "/reviews");
  await expect(h1(page)).toHaveText("Public reviews of proposed systems");
  const listed = page.getByTestId("reviews").locator('li[data-system="riverfront-crowd-sensors"]');
  await expect(listed).toHaveAttribute("data-stage", "active");
  await expectAccessible(page);

  await listed.getByRole("link").click();
  await expect(page).toHaveURL(/\/reviews\/[0-9a-f]+$/);
  await expect(facts(page)).toHaveAttribute("data-stage", "active");
  await expect(page.getByTestId("decision")).toHaveAttribute("data-outcome", "approved");
  await expect(page.getByTestId("office-answer")).not.toBeEmpty();
  await expect(page.getByTestId("open-for-comment")).toHaveCount(0);
  // The period is over: no comment form, and no invitation to sign in to comment.
  await expect(page.getByRole("main").locator("textarea")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in to comment on this section" })).toHaveCount(0);
  await expect(page.getByTestId("comment-count")).toHaveText(
    String(await page.locator('li.comment[data-hidden="false"]').count()),
  );
  await expectAccessible(page);

  // Its register entry is in force, and the register's changes list it.
  await facts(page).getByRole("link", { name: "Riverfront crowd sensors", exact: true }).click();
  await expect(page).toHaveURL(/\/systems\/riverfront-crowd-sensors$/);
  await expect(page.getByRole("main").locator(".status")).toHaveClass(/\bstatus-active\b/);
  await open(page, "/register/changes");
  await expect(
    page.getByRole("main").locator('a[href="/systems/riverfront-crowd-sensors/history"]').first(),
  ).toBeVisible();
  expect(errors).toEqual([]);
});

test("a rejected proposal shows the decision and a hidden comment in place of its text", async ({ page }) => {
  const errors = watchPageErrors(page);
  await open(page, "/reviews");
  const listed = page.getByTestId("reviews").locator('li[data-system="ring-road-plate-readers"]');
  await expect(listed).toHaveAttribute("data-stage", "rejected");
  await listed.getByRole("link").click();
  await expect(page).toHaveURL(/\/reviews\/[0-9a-f]+$/);
  await expect(facts(page)).toHaveAttribute("data-stage", "rejected");
  await expect(page.getByTestId("decision")).toHaveAttribute("data-outcome", "rejected");
  await expect(page.getByTestId("office-answer")).not.toBeEmpty();

  const hidden = page.locator('li.comment[data-hidden="true"]');
  await expect(hidden).toHaveCount(1);
  await expect(hidden).toContainText("Hidden by the privacy office:");
  // Only the comments the public can read are counted.
  const visible = await page.locator('li.comment[data-hidden="false"]').count();
  expect(visible).toBeGreaterThan(0);
  await expect(page.getByTestId("comment-count")).toHaveText(String(visible));
  await expect(page.getByRole("main").locator("textarea")).toHaveCount(0);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test("an unknown review is a 404 page", async ({ page }) => {
  const response = await page.goto("/reviews/0000000000000000000000000000dead");
  expect(response?.status()).toBe(404);
});
