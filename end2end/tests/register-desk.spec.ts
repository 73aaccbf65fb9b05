import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { expectAccessible, freshSignedUpResident, h1, open, signIn, watchPageErrors } from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// The register's desks around the entries themselves: agencies' API clients (admins only),
// residents' problem reports and the office's public answers, adding an agency to the
// register, and the review milestones on a system's page and in the register's changes.
//
// All four projects run against one server and database: every client, report and agency
// made here is the project's own (unique texts and slugs). Sign-in is limited to 5 attempts a
// minute per email and other specs sign in the demo officer and admin too, so each demo
// account signs in once per project here (one test per role); the rest is done by freshly
// signed-up residents or signed out.

const ADMIN = { email: "admin@riverton.example", password: "riverton demo admin" };
const OFFICER = { email: "privacy.officer@riverton.example", password: "riverton demo officer" };

const SCOPES = ["consent:check", "subjects:read", "enrollment:write", "requests:work", "consent:changes", "incidents:write"] as const;

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

/**
 * An agency only this project uses for its refused (scope-less) client, so counting that
 * agency's clients is not disturbed by the other projects creating theirs.
 */
function quietAgency(): string {
  const byProject: Record<string, string> = {
    "desktop-js": "riverton-library",
    "desktop-nojs": "riverton-schools",
    "phone-js": "riverton-energy",
    "phone-nojs": "riverton-parking",
  };
  return byProject[projectTag()] ?? "riverton-broadband-office";
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

function field(page: Page, name: string): Locator {
  return page.locator(`.field[data-field="${name}"]`);
}

/** The report whose text is `body`, in the public list. */
function reportItem(page: Page, body: string): Locator {
  return page.getByTestId("problem-reports").locator("li", { hasText: body });
}

/** The clients of `agency` in the list. */
function clientsOf(page: Page, agency: string): Locator {
  // Each item's first line is "<client id> · <agency slug>".
  return page
    .getByTestId("clients")
    .locator("li[data-client]")
    .filter({ has: page.locator("p:first-child", { hasText: new RegExp(`·\\s*${agency}$`) }) });
}

/** Opens `path` expecting a refusal with `status` (no hydration wait: nothing to hydrate into). */
async function openRefused(page: Page, path: string, status: number): Promise<void> {
  const response = await page.goto(path, { waitUntil: "load" });
  expect(response, `navigation to ${path} returned no response`).not.toBeNull();
  expect(response!.status(), `GET ${path} answered ${response!.status()}`).toBe(status);
}

/** A resident files a report from the form on /register/reports (already open). */
async function sendReport(page: Page, body: string): Promise<void> {
  await page.locator("#report-body").fill(body);
  await page.getByRole("button", { name: "Send the report", exact: true }).click();
  await expect(page).toHaveURL(/\/register\/reports\?sent=/);
  await expect(page.getByTestId("report-sent")).toBeVisible();
}

test("an admin creates an agency's API client, sees its secret once and revokes it; then adds an agency", async ({
  page,
}) => {
  test.slow();
  const errors = watchPageErrors(page);
  // The one sign-in of the demo admin in this spec, per project.
  await signIn(page, ADMIN.email, ADMIN.password);

  // The clients page: the form and the list.
  await open(page, "/admin/clients");
  await expect(h1(page)).toHaveText("Agencies' API clients");
  const agency = page.locator("select#client-agency");
  await expect(agency.locator('option[value="riverton-transit"]')).toHaveCount(1);
  for (const scope of SCOPES) {
    await expect(page.locator(`input[type="checkbox"][name="scopes[${scope}]"]`)).not.toBeChecked();
  }
  await expect(page.getByTestId("new-client")).toHaveCount(0);
  await expectAccessible(page);

  // Without a scope the client is refused, and none is made.
  const quiet = quietAgency();
  const quietBefore = await clientsOf(page, quiet).count();
  await agency.selectOption(quiet);
  await page.getByRole("button", { name: "Create the client", exact: true }).click();
  await expect(page.locator(".notice-error")).toBeVisible();
  await expect(page.getByTestId("new-client")).toHaveCount(0);
  await open(page, "/admin/clients");
  await expect(page.getByTestId("new-client")).toHaveCount(0);
  expect(await clientsOf(page, quiet).count(), `a scope-less client of ${quiet} was created`).toBe(quietBefore);

  // With two scopes it is made: its id and secret are shown, once.
  await agency.selectOption("riverton-transit");
  await page.locator('input[name="scopes[consent:check]"]').check();
  await page.locator('input[name="scopes[subjects:read]"]').check();
  await page.getByRole("button", { name: "Create the client", exact: true }).click();
  const created = page.getByTestId("new-client");
  await expect(created).toBeVisible();
  await expect(page.locator(".notice-error")).toHaveCount(0);
  const idCell = created.getByTestId("new-client-id");
  const secretCell = created.getByTestId("new-client-secret");
  await expect(idCell).toHaveText(/^gh_\S+$/);
  await expect(secretCell).toHaveText(/^\S{16,}$/);
  const clientId = ((await idCell.textContent()) ?? "").trim();
  const secret = ((await secretCell.textContent()) ?? "").trim();
  expect(secret).not.toBe(clientId);

  const listed = page.getByTestId("clients").locator(`li[data-client="${clientId}"]`);
  await expect(listed).toHaveAttribute("data-revoked", "false");
  await expect(listed).toContainText("riverton-transit");
  await expect(listed).toContainText("consent:check");
  await expect(listed).toContainText("subjects:read");
  await expect(listed).not.toContainText("enrollment:write");
  await expect(listed).not.toContainText(secret);
  await expectAccessible(page);

  // Reloaded, the secret is gone for good; the client stays listed.
  await page.reload({ waitUntil: "load" });
  if (test.info().project.use.javaScriptEnabled !== false) await page.waitForLoadState("networkidle");
  await expect(h1(page)).toHaveText("Agencies' API clients");
  await expect(page.getByTestId("new-client")).toHaveCount(0);
  await expect(listed).toHaveAttribute("data-revoked", "false");
  expect(await page.content(), "the secret was shown a second time").not.toContain(secret);
  await open(page, "/admin/clients");
  await expect(page.getByTestId("new-client")).toHaveCount(0);
  expect(await page.content(), "the secret was shown a second time").not.toContain(secret);

  // Revoked: marked so, and no longer offered to revoke.
  await listed.getByRole("button", { name: "Revoke", exact: true }).click();
  await expect(listed).toHaveAttribute("data-revoked", "true");
  await expect(listed.getByRole("button", { name: "Revoke", exact: true })).toHaveCount(0);
  await open(page, "/admin/clients");
  await expect(listed).toHaveAttribute("data-revoked", "true");

  // The register desk: a new agency.
  const slug = `e2e-agency-${Date.now()}-${projectTag()}`;
  const name = `E2E Office of Street Lighting ${slug}`;
  await open(page, "/admin/register");
  await expect(h1(page)).toHaveText("Keep the register");
  await page.getByTestId("add-agency").click();
  await expect(page).toHaveURL(/\/admin\/register\/agencies\/new$/);
  await expect(h1(page)).toHaveText("Agency");
  await expect(page.locator("#a-dpo_email")).toHaveAttribute("type", "email");
  await expect(page.locator("#a-website")).toHaveAttribute("type", "url");
  await expectAccessible(page);

  // A slug with capitals and a space is refused beside the slug; what was typed is kept.
  await page.locator("#a-slug").fill("Bad Slug");
  await page.locator("#a-name-en").fill(name);
  await page.locator("#a-name-es").fill(`Oficina de Alumbrado Público E2E ${slug}`);
  await page.locator("#a-description-en").fill("Runs the city's street lights and their motion sensors.");
  await page.locator("#a-description-es").fill("Gestiona el alumbrado público y sus sensores de movimiento.");
  await page.locator('input[name="fields[public_authority]"]').check();
  await page.locator("#a-dpo_email").fill("dpo.lighting@riverton.example");
  await page.locator("#a-website").fill("https://lighting.riverton.example/");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByTestId("form-problems")).toBeVisible();
  await expect(field(page, "slug")).toHaveAttribute("data-invalid", "true");
  await expect(field(page, "slug").locator(".field-error")).not.toBeEmpty();
  await expect(page.locator("#a-slug")).toHaveAttribute("aria-describedby", "a-slug-problem");
  await expect(field(page, "name.en")).toHaveAttribute("data-invalid", "false");
  await expect(page.locator("#a-slug")).toHaveValue("Bad Slug");
  await expect(page.locator("#a-name-en")).toHaveValue(name);
  await expect(page.locator("#a-dpo_email")).toHaveValue("dpo.lighting@riverton.example");
  await expect(page.locator('input[name="fields[public_authority]"]')).toBeChecked();
  await expectAccessible(page);

  // With a good slug it is saved and listed on the desk.
  await page.locator("#a-slug").fill(slug);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/register\\?saved=${slug}$`));
  await expect(page.getByTestId("saved")).toContainText(slug);
  const agencyItem = page.locator(`li[data-agency="${slug}"]`);
  await expect(agencyItem).toHaveCount(1);
  await expect(agencyItem.getByRole("link", { name, exact: true })).toHaveAttribute(
    "href",
    `/admin/register/agencies/${slug}`,
  );

  // The new agency can be given API clients.
  await open(page, "/admin/clients");
  await expect(page.locator(`select#client-agency option[value="${slug}"]`)).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("a resident reports a problem with the register, signed out they are asked to sign in", async ({ page }) => {
  const errors = watchPageErrors(page);
  const body = unique("E2E report: the camera at the corner of Mill Street and 3rd Avenue is not listed.");

  // Signed out: the reports are readable, and a link to sign in takes the form's place.
  await open(page, "/register/reports");
  await expect(h1(page)).toHaveText("Report a problem with the register");
  await expect(page.locator("#report-body")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in to report a problem", exact: true })).toHaveAttribute(
    "href",
    "/login?next=/register/reports",
  );
  await expectAccessible(page);

  // Signed in: the form, about something not in the register by default.
  await freshSignedUpResident(page);
  await open(page, "/register/reports");
  await expect(page.locator("select#report-system")).toHaveValue("");
  await expect(page.locator('select#report-system option[value="licence-plate-readers"]')).toHaveCount(1);
  await expect(page.getByTestId("report-sent")).toHaveCount(0);
  await expectAccessible(page);

  await sendReport(page, body);
  const mine = reportItem(page, body);
  await expect(mine).toHaveCount(1);
  await expect(mine).toHaveAttribute("data-answered", "false");
  await expect(mine.locator('a[href^="/systems/"]')).toHaveCount(0);
  await expect(mine.getByTestId("report-answer")).toHaveCount(0);
  // A resident answers nothing.
  await expect(mine.locator("textarea")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Publish the answer" })).toHaveCount(0);
  await expectAccessible(page);

  // Nor may a resident manage the agencies' API clients.
  await openRefused(page, "/admin/clients", 403);
  await expect(page.getByTestId("clients")).toHaveCount(0);
  await expect(page.locator("select#client-agency")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a report about an entry gets the office's public answer; the officer may not manage API clients", async ({
  page,
  browser,
}) => {
  test.slow();
  const errors = watchPageErrors(page);
  const body = unique("E2E report: the plate readers keep data longer than the entry says.");
  const answer = unique("E2E answer: thank you, the retention has been checked and corrected.");

  // A resident starts from the system's page: the form comes with the system chosen.
  const residentContext = await secondVisitor(browser);
  const resident = await residentContext.newPage();
  const residentErrors = watchPageErrors(resident);
  await freshSignedUpResident(resident);
  await open(resident, "/systems/licence-plate-readers");
  const link = resident.getByRole("main").locator('a[href="/register/reports?system=licence-plate-readers"]');
  await expect(link).toHaveText("Report a problem with this entry");
  await link.click();
  await expect(resident).toHaveURL(/\/register\/reports\?system=licence-plate-readers$/);
  if (test.info().project.use.javaScriptEnabled !== false) await resident.waitForLoadState("networkidle");
  await expect(resident.locator("select#report-system")).toHaveValue("licence-plate-readers");
  await sendReport(resident, body);
  const residentItem = reportItem(resident, body);
  await expect(residentItem).toHaveAttribute("data-answered", "false");
  await expect(residentItem.locator('a[href="/systems/licence-plate-readers"]')).toHaveCount(1);
  expect(residentErrors).toEqual([]);

  // The one sign-in of the demo officer in this spec, per project.
  await signIn(page, OFFICER.email, OFFICER.password);

  // API clients are the admins' only.
  await openRefused(page, "/admin/clients", 403);
  await expect(page.getByRole("main").locator("p.notice")).toContainText(
    "Your role does not give access to this page. If your work needs it, ask an administrator.",
  );
  await expect(page.getByTestId("clients")).toHaveCount(0);
  await expect(page.locator("select#client-agency")).toHaveCount(0);

  // The register officer answers the report on the reports page.
  await open(page, "/register/reports");
  const item = reportItem(page, body);
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute("data-answered", "false");
  const reportId = ((await item.getAttribute("id")) ?? "").replace(/^report-/, "");
  expect(reportId, "the report has no id").not.toBe("");
  const box = item.locator(`textarea#answer-${reportId}`);
  await expect(box).toBeVisible();
  await expect(box).toHaveValue("");
  await expect(item.getByLabel("The privacy office's answer", { exact: true })).toBeVisible();
  await box.fill(answer);
  await item.getByRole("button", { name: "Publish the answer", exact: true }).click();
  await expect(page).toHaveURL(/\/register\/reports\?done=/);
  await expect(item).toHaveAttribute("data-answered", "true");
  await expect(item.getByTestId("report-answer")).toHaveText(answer);
  await expect(item.locator(`textarea#answer-${reportId}`)).toHaveValue(answer);
  await expectAccessible(page);

  // The answer is public: the resident, and anyone signed out, read it.
  await open(resident, "/register/reports");
  await expect(residentItem).toHaveAttribute("data-answered", "true");
  await expect(residentItem.getByTestId("report-answer")).toHaveText(answer);
  await expect(residentItem.locator("textarea")).toHaveCount(0);
  await residentContext.close();

  const visitorContext = await secondVisitor(browser);
  const visitor = await visitorContext.newPage();
  const visitorErrors = watchPageErrors(visitor);
  await open(visitor, "/register/reports");
  const publicItem = reportItem(visitor, body);
  await expect(publicItem).toHaveAttribute("data-answered", "true");
  await expect(publicItem.getByTestId("report-answer")).toHaveText(answer);
  await expect(publicItem.locator("textarea")).toHaveCount(0);
  expect(visitorErrors).toEqual([]);
  await visitorContext.close();
  expect(errors).toEqual([]);
});

test("a system under public review links to its review, and the register's changes list review milestones", async ({
  page,
}) => {
  const errors = watchPageErrors(page);
  await open(page, "/systems/central-station-facial-recognition");
  await expect(h1(page)).toContainText("Facial recognition pilot at Central Station");
  const review = page.getByTestId("system-review");
  await expect(review).toHaveAttribute("data-stage", "comment");
  const reviewLink = review.getByRole("link");
  await expect(reviewLink).toHaveAttribute("href", /^\/reviews\/[0-9a-f]+$/);
  const reviewPath = (await reviewLink.getAttribute("href"))!;
  await expect(page.getByRole("main").locator('a[href="/register/reports?system=central-station-facial-recognition"]')).toHaveCount(1);
  await expectAccessible(page);

  await reviewLink.click();
  await expect(page).toHaveURL(new RegExp(`${reviewPath}$`));
  await expect(page.getByTestId("review-facts")).toHaveAttribute("data-stage", "comment");

  await open(page, "/register/changes");
  await expect(h1(page)).toHaveText("Register changes");
  const events = page.getByTestId("review-events");
  for (const stage of ["comment", "approved", "rejected"]) {
    await expect(events.locator(`li[data-stage="${stage}"]`).first(), `no ${stage} milestone`).toBeVisible();
  }
  // Each milestone links to its review.
  await expect(events.locator("li[data-stage]").first().locator('a[href^="/reviews/"]')).toHaveCount(1);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
