import { expect, test, type Page } from "@playwright/test";
import {
  Agency,
  NO_CLIENT_MESSAGE,
  apiClient,
  enterEnrollmentCode,
  expectAccessible,
  freshResident,
  freshSignedUpResident,
  h1,
  jsEnabled,
  open,
  purposeItem,
  residentNumber,
  signIn,
  signUp,
  systemLine,
  watchPageErrors,
} from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// The demo resident Ana is read-only here (the projects run in parallel against one
// server) and signs in once per project: sign-in allows 5 attempts a minute per email.
// Every test that changes consent signs up its own fresh resident, whom the agency
// riverton-digital-services enrols with its MyRiverton account through the API
// (client from E2E_CLIENT_ID / E2E_CLIENT_SECRET, which scripts/test.sh creates).

const ANA = { email: "ana.garcia@riverton.example", password: "riverton demo resident" };
const ANA_SYSTEMS = [
  "riverpass-fare-card",
  "smart-water-meters",
  "smart-electricity-meters",
  "library-cards",
  "myriverton-account",
  "riverton-311",
];

const SYSTEM = "myriverton-account";
const SYSTEM_NAME = "MyRiverton city account";
const SYSTEM_PAGE = `/my/systems/${SYSTEM}`;
const PURPOSE = "city-newsletter";
const PURPOSE_NAME = "City newsletter";

const RECEIPT_LINK = /^\/my\/consents\/[^/?#]+$/;
const RECEIPT_JSON = /^\/my\/consents\/[^/?#]+\/receipt\.json\?lang=en$/;
const PHONE_ERROR = "Enter a phone number of 6 to 20 digits; spaces, dashes, brackets and a leading + are fine.";

test.describe.configure({ timeout: 120_000 });

/** The consent line and button of one purpose on its system's page, /my/systems/{slug}. */
function choice(page: Page, system = SYSTEM, purpose = PURPOSE) {
  const item = purposeItem(page, system, purpose);
  return {
    item,
    state: item.locator("p.consent-state"),
    grant: item.getByRole("button", { name: "Give consent", exact: true }),
    withdraw: item.getByRole("button", { name: "Withdraw consent", exact: true }),
  };
}

/**
 * Presses the purpose's one button on the system's page and waits for the new state. With
 * JavaScript the page must not reload (a marker on window survives); without, the form posts
 * and the server sends the resident back to the same page.
 */
async function pressConsentButton(page: Page, press: "grant" | "withdraw", expected: "given" | "withdrawn") {
  const c = choice(page);
  const button = press === "grant" ? c.grant : c.withdraw;
  await expect(button).toBeVisible();
  if (jsEnabled()) {
    await page.evaluate(() => {
      (window as unknown as { __e2eNoReload: boolean }).__e2eNoReload = true;
    });
  }
  await button.click();
  // Without JavaScript the server answers the form post by sending the browser back to the page.
  if (!jsEnabled()) await expect(page).toHaveURL(new RegExp(`${SYSTEM_PAGE}\\??$`));
  await expect(c.state).toHaveAttribute("data-state", expected);
  await expect(c.state).toHaveText(`Your consent: ${expected}`);
  const next = press === "grant" ? c.withdraw : c.grant;
  await expect(next).toBeVisible();
  await expect(next).toBeEnabled();
  if (jsEnabled()) {
    expect(
      await page.evaluate(() => (window as unknown as { __e2eNoReload?: boolean }).__e2eNoReload === true),
      `pressing the button to ${press} reloaded the page; with JavaScript it must update in place`,
    ).toBe(true);
    // The address is the one the server's answer led to, as without JavaScript.
    await expect(page).toHaveURL(new RegExp(`${SYSTEM_PAGE}\\??$`));
  }
  // The state survives a reload: it was stored, not only shown.
  await open(page, SYSTEM_PAGE);
  await expect(choice(page).state).toHaveAttribute("data-state", expected);
}

test.describe("Your data", () => {
  test("the demo resident sees the systems that hold their data, in English and Spanish", async ({ page }) => {
    // Seven page loads, each compiling the WebAssembly bundle anew with JavaScript (phone-js
    // ran out of the 2-minute limit on its last page on a busy two-core machine).
    test.slow();
    const errors = watchPageErrors(page);
    // Exactly one sign-in with the shared demo resident per project. Read-only.
    await signIn(page, ANA.email, ANA.password);

    await open(page, "/my");
    await expect(h1(page)).toHaveText("Your data");
    await expect(page).toHaveTitle(/Your data/);
    await expect(page.getByRole("navigation", { name: "Your data" })).toBeVisible();

    // The summary: one line per system, enrolled ones apart from those in public space.
    const enrolled = page.getByRole("region", { name: "Systems you are enrolled with", exact: true });
    await expect(enrolled).toBeVisible();
    const enrolledSlugs = await enrolled.locator("li.system-line").evaluateAll((lines) =>
      lines.map((l) => l.getAttribute("data-system")),
    );
    expect(enrolledSlugs.sort()).toEqual([...ANA_SYSTEMS].sort());
    // Each line names its system by a link to the system's page, and how its purposes stand:
    // RiverPass asks consent for two purposes (alerts given, research never asked), and three
    // rest on a contract or the law.
    const fare = systemLine(page, "riverpass-fare-card");
    const fareLink = fare.getByRole("link", { name: "RiverPass contactless fare card", exact: true });
    await expect(fareLink).toHaveAttribute("href", "/my/systems/riverpass-fare-card");
    await expect(fare.locator("p.tally")).toHaveText("Consent given: 1 of 2 · No consent needed: 3");
    await expect(fare).toHaveAttribute("data-allowed", "1");
    await expect(fare).toHaveAttribute("data-choices", "2");
    await expect(fare).toHaveAttribute("data-by-law", "3");
    // No purpose of a CCTV system asks for consent.
    await expect(systemLine(page, "downtown-cctv").locator("p.tally")).toHaveText(
      "Nothing to choose: every purpose rests on another legal basis",
    );

    const publicSpace = page.getByRole("region", { name: "Systems in public space", exact: true });
    await expect(publicSpace).toBeVisible();
    expect(await publicSpace.locator("li.system-line").count()).toBeGreaterThan(0);
    for (const slug of ANA_SYSTEMS) {
      await expect(publicSpace.locator(`li.system-line[data-system="${slug}"]`)).toHaveCount(0);
    }

    // What she allows, over all her systems: the two demo consents.
    const allowed = page.getByRole("region", { name: "What you allow", exact: true });
    await expect(allowed.getByTestId("allowed").locator("li")).toHaveCount(2);
    await expect(allowed.getByTestId("allowed")).toContainText("RiverPass contactless fare card");
    // Who asked lately, with the way to the whole access log.
    const recent = page.getByRole("region", { name: "Who asked about you lately", exact: true });
    await expect(recent.getByRole("link", { name: "Everything in your access log" })).toHaveAttribute(
      "href",
      "/my/access-log",
    );
    // The details are one step away; /my itself holds no consent button.
    await expect(page.locator("li.purpose")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Give consent" })).toHaveCount(0);

    await expectAccessible(page);

    // The system's page, reached from its line by keyboard.
    await fareLink.focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/my\/systems\/riverpass-fare-card$/);
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveText("RiverPass contactless fare card");
    await expect(page).toHaveTitle(/RiverPass contactless fare card/);
    await expect(page.getByRole("link", { name: "Its entry in the public register" })).toHaveAttribute(
      "href",
      "/systems/riverpass-fare-card",
    );
    // A purpose that rests on a contract needs no consent, and has no button.
    const payment = purposeItem(page, "riverpass-fare-card", "fare-payment");
    await expect(payment.locator("p.basis-note")).toContainText("No consent needed:");
    await expect(payment.getByRole("button")).toHaveCount(0);
    await expect(payment.locator("p.consent-state")).toHaveCount(0);

    // The demo consents: given for RiverPass service alerts, never asked for the research.
    const alerts = choice(page, "riverpass-fare-card", "service-alerts");
    await expect(alerts.state).toHaveAttribute("data-state", "given");
    await expect(alerts.state).toHaveText("Your consent: given");
    await expect(alerts.withdraw).toBeVisible();
    await expect(choice(page, "riverpass-fare-card", "university-travel-research").state).toHaveAttribute(
      "data-state",
      "never",
    );
    await expectAccessible(page);

    // A system that holds none of her data is not found, in a sentence.
    const response = await page.goto("/my/systems/central-station-facial-recognition");
    expect(response!.status(), "a planned system in public space is none of hers yet").toBe(404);
    await expect(page.getByTestId("system-not-found")).toHaveText(/There is no such system among yours/);
    await expect(page.locator("li.purpose")).toHaveCount(0);

    // Spanish, through the language switch.
    await page.goto("/lang/es?next=/my");
    await expect(page).toHaveURL(/\/my$/);
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveText("Tus datos");
    await expect(page.locator("html")).toHaveAttribute("lang", "es");
    await expect(page.getByRole("region", { name: "Sistemas en el espacio público" })).toBeVisible();
    await expect(systemLine(page, "riverpass-fare-card").locator("p.tally")).toHaveText(
      "Consentimiento dado: 1 de 2 · No hace falta consentimiento: 3",
    );
    await page.goto("/lang/es?next=/my/systems/riverpass-fare-card");
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(purposeItem(page, "riverpass-fare-card", "fare-payment").locator("p.basis-note")).toContainText(
      "No hace falta consentimiento:",
    );

    expect(errors, "page or console errors").toEqual([]);
  });

  test("the agency API reference is public and linked from the footer", async ({ page }) => {
    const errors = watchPageErrors(page);
    await open(page, "/");
    await page.getByRole("contentinfo").getByRole("link", { name: "API for agencies", exact: true }).click();
    await expect(page).toHaveURL(/\/developers\/api$/);
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveText("Agency API");
    const main = page.getByRole("main");
    await expect(main).toContainText("/api/v1/consent/check");
    await expect(main).toContainText("/api/v1/subjects/query");
    await expect(main).toContainText("/api/v1/oauth/token");
    await expect(main.getByRole("link", { name: "OpenAPI 3.1 document (JSON)" })).toHaveAttribute(
      "href",
      "/api/v1/openapi.json",
    );
    await expectAccessible(page);
    expect(errors, "page or console errors").toEqual([]);
  });

  test("a resident gives and withdraws consent; the agency, the receipts and the access log agree", async ({
    page,
    request,
    browser,
    baseURL,
  }) => {
    const client = apiClient();
    test.skip(!client, NO_CLIENT_MESSAGE);
    // The whole journey (sign-up, two systems' consents, receipts, the access log, a second
    // resident), each page checked with axe: 1.2–2.0 minutes on a two-core machine, at the
    // 2-minute default; three times that is room without hiding a hang.
    test.slow();
    const agency = new Agency(request, client!);
    const errors = watchPageErrors(page);

    const { number } = await freshSignedUpResident(page);

    // Before any enrolment the resident is enrolled with nothing.
    await open(page, "/my");
    await expect(page.getByRole("region", { name: "Systems you are enrolled with" })).toContainText(
      "You are not enrolled with any system yet.",
    );
    await expect(systemLine(page, SYSTEM)).toHaveCount(0);
    // Nor does the system's page show anything of it: not found, in a sentence.
    const notYet = await page.goto(SYSTEM_PAGE);
    expect(notYet!.status(), "the page of a system the resident is not enrolled with").toBe(404);
    await expect(page.getByTestId("system-not-found")).toBeVisible();
    await expect(page.getByRole("button", { name: "Give consent" })).toHaveCount(0);

    // The agency issues an enrollment code; by itself it enrols nobody.
    const code = await agency.enrollmentCode(SYSTEM);
    const unenrolled = await agency.check(number, SYSTEM, PURPOSE);
    expect(unenrolled.reason).toBe("not_enrolled");
    // The resident enters it on /my, and is enrolled.
    await enterEnrollmentCode(page, code, SYSTEM);
    await expectAccessible(page);
    // A code works once: entering it again is refused with a sentence.
    const field = page.getByLabel("Enrolment code");
    await field.fill(code);
    await field.press("Enter");
    await expect(page.getByRole("alert")).toContainText("This code was already used.");
    // The access log shows the enrollment, by whom and how.
    await open(page, "/my/access-log");
    const enrollments = page.getByTestId("enrollment-history");
    await expect(enrollments.locator(`li[data-system="${SYSTEM}"][data-action="confirmed"][data-channel="web"]`)).toHaveCount(1);
    await expect(enrollments).toContainText("You entered the agency's code on this website");
    await expectAccessible(page);
    // Its entry in the public ledger, with the inclusion proof against a signed checkpoint.
    await enrollments.locator(`li[data-system="${SYSTEM}"]`).getByTestId("proof-link").click();
    await expect(page).toHaveURL(/\/my\/ledger\/\d+$/);
    await expect(h1(page)).toHaveText("Proof of a log entry");
    await expect(page.getByTestId("proof-status")).toHaveAttribute("data-verified", "yes");
    await expect(page.getByTestId("proof-entry")).toContainText('"log":"enrollment"');
    await expectAccessible(page);

    await open(page, "/my");
    const enrolled = page.getByRole("region", { name: "Systems you are enrolled with", exact: true });
    const line = enrolled.locator(`li.system-line[data-system="${SYSTEM}"]`);
    await expect(line).toHaveCount(1);
    await expect(line).toContainText("Riverton"); // run by the agency
    await expect(line.locator("p.tally")).toHaveText("Consent given: 0 of 2 · No consent needed: 2");
    await line.getByRole("link", { name: SYSTEM_NAME, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${SYSTEM_PAGE}$`));
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveText(SYSTEM_NAME);
    const c = choice(page);
    await expect(c.item.getByRole("heading", { level: 2 })).toHaveText(PURPOSE_NAME);
    await expect(c.state).toHaveAttribute("data-state", "never");
    await expect(c.state).toHaveText("Your consent: never asked");
    await expect(c.grant).toBeVisible();
    await expect(c.withdraw).toHaveCount(0);
    await expectAccessible(page);

    // 1. The agency asks before consent: deny, never given.
    const before = await agency.check(number, SYSTEM, PURPOSE);
    expect(before).toMatchObject({ decision: "deny", reason: "consent_not_given", legal_basis: "consent" });

    // The resident gives consent.
    await pressConsentButton(page, "grant", "given");

    // 2. Now: permit, because consent was given.
    const granted = await agency.check(number, SYSTEM, PURPOSE);
    expect(granted).toMatchObject({ decision: "permit", reason: "consent_given", legal_basis: "consent" });

    // The summary counts the grant, lists it, and shows the agency's latest checks first.
    await open(page, "/my");
    await expect(systemLine(page, SYSTEM).locator("p.tally")).toHaveText("Consent given: 1 of 2 · No consent needed: 2");
    await expect(page.getByTestId("allowed")).toContainText(PURPOSE_NAME);
    const recent = page.getByTestId("recent-access").locator("li");
    await expect(recent).toHaveCount(3);
    await expect(recent.first()).toHaveAttribute("data-decision-id", granted.decision_id);
    await expect(recent.first()).toContainText("Permitted");
    await expect(recent.nth(1)).toHaveAttribute("data-decision-id", before.decision_id);
    await expectAccessible(page);

    // The history lists the grant, with its receipt.
    await open(page, "/my/consents/history");
    await expect(h1(page)).toHaveText("Consent history");
    const history = page.getByTestId("consent-history");
    await expect(history.locator("li.log-entry")).toHaveCount(1);
    const grantEntry = history.locator("li.log-entry").first();
    await expect(grantEntry).toHaveAttribute("data-action", "grant");
    await expect(grantEntry).toContainText("Consent given");
    await expect(grantEntry).toContainText(PURPOSE_NAME);
    await expect(grantEntry).toContainText(SYSTEM_NAME);
    await expect(grantEntry).toContainText("By you, on this website");
    await expectAccessible(page);

    const receiptLink = grantEntry.getByRole("link", { name: "Receipt", exact: true });
    const receiptPath = (await receiptLink.getAttribute("href")) ?? "";
    expect(receiptPath).toMatch(RECEIPT_LINK);
    await receiptLink.click();
    await expect(page).toHaveURL(new RegExp(`${receiptPath}$`));
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveText("Consent receipt");
    const receipt = page.getByTestId("receipt");
    await expect(receipt).toContainText("You gave consent.");
    await expect(receipt).toContainText(number);
    const facts = receipt.locator("dl.facts");
    await expect(facts.locator("dt", { hasText: /^Notice version$/ }).locator("xpath=following-sibling::dd[1]")).toHaveText("1");
    await expectAccessible(page);

    // The JSON download: a Kantara / ISO/IEC TS 27560 receipt of this event.
    const download = receipt.getByTestId("receipt-download");
    const jsonPath = (await download.getAttribute("href")) ?? "";
    expect(jsonPath).toMatch(RECEIPT_JSON);
    await expect(download).toHaveAttribute("download", "");
    const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
    expect(file.suggestedFilename()).toMatch(/^consent-receipt-.+\.json$/);
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    expect(typeof json.consentReceiptID).toBe("string");
    expect(receiptPath).toBe(`/my/consents/${json.consentReceiptID}`);
    expect(json.piiPrincipalId).toBe(number);
    expect(json.services[0].service).toBe(SYSTEM_NAME);
    expect(json.services[0].purposes[0].purposeCategory).toContain(PURPOSE);
    expect(json.notice.version).toBe(1);
    expect(json.event.state).toBe("ConsentGiven");
    expect(json.event.eventType).toBe("grant");
    expect(json.processing.legalBasis).toBe("consent");
    expect(typeof json.processing.withdrawalMethod).toBe("string");
    expect(json.processing.withdrawalMethod.length).toBeGreaterThan(0);
    expect(json.piiControllers[0].piiController).toBeTruthy();
    // The same URL through the page's cookies answers JSON as an attachment, never cached.
    const viaCookies = await page.request.get(jsonPath);
    expect(viaCookies.status()).toBe(200);
    expect(viaCookies.headers()["content-type"]).toMatch(/^application\/json/);
    expect(viaCookies.headers()["content-disposition"]).toMatch(/^attachment/);
    expect(viaCookies.headers()["cache-control"]).toContain("no-store");
    expect((await viaCookies.json()).consentReceiptID).toBe(json.consentReceiptID);
    // Without a session there is no receipt.
    expect((await request.get(jsonPath)).status(), "receipt.json without a session").toBe(401);

    // The resident withdraws, with the same one press.
    await open(page, SYSTEM_PAGE);
    await pressConsentButton(page, "withdraw", "withdrawn");

    // 3. Now: deny, because consent was withdrawn.
    const withdrawn = await agency.check(number, SYSTEM, PURPOSE);
    expect(withdrawn).toMatchObject({ decision: "deny", reason: "consent_withdrawn", legal_basis: "consent" });

    // The history now starts with the withdrawal.
    await open(page, "/my/consents/history");
    await expect(page.getByTestId("consent-history").locator("li.log-entry")).toHaveCount(2);
    await expect(page.getByTestId("consent-history").locator("li.log-entry").first()).toHaveAttribute(
      "data-action",
      "withdraw",
    );
    await expect(page.getByTestId("consent-history").locator("li.log-entry").nth(1)).toHaveAttribute(
      "data-action",
      "grant",
    );

    // The access log shows the four checks, newest first, with the decision ids the agency got.
    await open(page, "/my/access-log");
    await expect(h1(page)).toHaveText("Who asked about you");
    const entries = page.getByTestId("access-log").locator("li.log-entry");
    await expect(entries).toHaveCount(4);
    const seen = await entries.evaluateAll((items) =>
      items.map((li) => ({
        decision: li.getAttribute("data-decision"),
        reason: li.getAttribute("data-reason"),
        id: li.getAttribute("data-decision-id"),
      })),
    );
    expect(seen).toEqual([
      { decision: "deny", reason: "consent_withdrawn", id: withdrawn.decision_id },
      { decision: "permit", reason: "consent_given", id: granted.decision_id },
      { decision: "deny", reason: "consent_not_given", id: before.decision_id },
      { decision: "deny", reason: "not_enrolled", id: unenrolled.decision_id },
    ]);
    await expect(entries.first()).toContainText("Denied");
    await expect(entries.first()).toContainText(SYSTEM_NAME);
    await expect(entries.first()).toContainText(PURPOSE_NAME);
    await expect(entries.nth(1)).toContainText("Permitted");
    await expectAccessible(page);

    // Filtering with the GET form leaves only the permit.
    await page.getByLabel("Decision", { exact: true }).selectOption({ label: "Permitted" });
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page).toHaveURL(/\/my\/access-log\?(.*&)?decision=permit(&|$)/);
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(entries).toHaveCount(1);
    await expect(entries.first()).toHaveAttribute("data-decision", "permit");
    await expect(entries.first()).toHaveAttribute("data-reason", "consent_given");
    await expect(page.getByLabel("Decision", { exact: true })).toHaveValue("permit");
    await expectAccessible(page);

    expect(errors, "page or console errors").toEqual([]);

    // A second resident, in their own browser, sees nothing of the first one's.
    const use = test.info().project.use;
    const other = await browser.newContext({
      baseURL,
      viewport: use.viewport,
      isMobile: use.isMobile,
      hasTouch: use.hasTouch,
      javaScriptEnabled: use.javaScriptEnabled,
    });
    try {
      const otherPage = await other.newPage();
      const second = freshResident();
      await signUp(otherPage, second);
      expect(await residentNumber(otherPage)).not.toBe(number);
      await otherPage.goto("/my/access-log");
      await expect(h1(otherPage)).toHaveText("Who asked about you");
      await expect(otherPage.getByTestId("access-empty")).toBeVisible();
      await expect(otherPage.getByTestId("access-log")).toHaveCount(0);
      await otherPage.goto("/my/consents/history");
      await expect(otherPage.getByText("You have not given or withdrawn any consent yet.")).toBeVisible();
      // The first resident's receipt is not theirs: 404 as page and as JSON.
      expect((await otherPage.request.get(jsonPath)).status(), "another resident's receipt.json").toBe(404);
      const response = await otherPage.goto(receiptPath);
      expect(response!.status(), "another resident's receipt page").toBe(404);
      await expect(otherPage.getByText("There is no such receipt among yours.")).toBeVisible();
      await expect(otherPage.getByTestId("receipt")).toHaveCount(0);
    } finally {
      await other.close();
    }
  });

  test("a resident keeps a profile, and an agency receives only what the purpose declares", async ({
    page,
    request,
  }) => {
    // The longest journey of the file (desktop-js 1.6 min on CI's two cores, and sign-up now
    // signs in as a step of its own): three times the file's limit, so a busy machine slows it
    // without failing it; a hang still fails.
    test.slow();
    const errors = watchPageErrors(page);
    const { resident, number } = await freshSignedUpResident(page);

    await open(page, "/account/profile");
    await expect(h1(page)).toHaveText("Your profile");
    const address = page.getByLabel(/^Postal address/);
    const phone = page.getByLabel(/^Phone/);
    await expect(address).toHaveValue("");
    await expect(phone).toHaveValue("");
    await expectAccessible(page);

    await address.fill("12 Quay Street, Riverton");
    await phone.fill("+1 555 0142");
    await page.getByRole("button", { name: "Save profile", exact: true }).click();
    await expect(page).toHaveURL(/\/account\/profile\?saved=1$/);
    await expect(page.getByRole("status").filter({ hasText: "Your profile was saved." })).toBeVisible();
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(page.getByLabel(/^Postal address/)).toHaveValue("12 Quay Street, Riverton");
    await expect(page.getByLabel(/^Phone/)).toHaveValue("+1 555 0142");
    await expectAccessible(page);

    // A phone number that is not one is refused with one plain message, and nothing changes.
    await open(page, "/account/profile");
    await page.getByLabel(/^Phone/).fill("12ab");
    await page.getByRole("button", { name: "Save profile", exact: true }).click();
    // A refused input is the caller's mistake, not the server's: a script calling the same
    // server function is answered 4xx, never 500 (a page's form gets the page back instead).
    const scripted = await page.request.post("/fn/profile/update", {
      form: { postal_address: "12 Quay Street, Riverton", phone: "12ab", date_of_birth: "" },
      headers: { Accept: "application/json" },
      maxRedirects: 0,
    });
    // (soft, so the rest of the story still runs and reports)
    expect.soft(scripted.status(), `POST /fn/profile/update with a bad phone answered ${scripted.status()}`).toBeGreaterThanOrEqual(400);
    expect.soft(scripted.status(), `POST /fn/profile/update with a bad phone answered ${scripted.status()}`).toBeLessThan(500);
    const alert = page.getByRole("alert");
    await expect(alert).toHaveText(PHONE_ERROR);
    await expect(alert).toHaveCount(1);
    await expect(page.getByText("Your profile was saved.")).toHaveCount(0);
    await expectAccessible(page);
    await open(page, "/account/profile");
    await expect(page.getByLabel(/^Phone/)).toHaveValue("+1 555 0142");
    await expect(page.getByLabel(/^Postal address/)).toHaveValue("12 Quay Street, Riverton");

    const client = apiClient();
    test.skip(!client, NO_CLIENT_MESSAGE);
    const agency = new Agency(request, client!);
    await enterEnrollmentCode(page, await agency.enrollmentCode(SYSTEM), SYSTEM);

    // Without consent the query is refused, with the reason.
    const refused = await agency.query(number, SYSTEM, PURPOSE);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(JSON.stringify(refused.body)).toContain("consent_not_given");

    await open(page, SYSTEM_PAGE);
    await pressConsentButton(page, "grant", "given");

    // City newsletter declares only contact data: email, phone, language; never the address.
    const answer = await agency.query(number, SYSTEM, PURPOSE);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.subject).toBe(number);
    expect(answer.body.data.email).toBe(resident.email);
    expect(answer.body.data.phone).toBe("+1 555 0142");
    expect(answer.body.data).not.toHaveProperty("postal_address");
    expect(answer.body.data).not.toHaveProperty("name");
    expect(answer.body.data).not.toHaveProperty("date_of_birth");

    // Both queries are in the resident's access log, as data queries.
    await open(page, "/my/access-log");
    const entries = page.getByTestId("access-log").locator("li.log-entry");
    await expect(entries).toHaveCount(2);
    await expect(entries.first()).toHaveAttribute("data-decision", "permit");
    await expect(entries.first()).toHaveAttribute("data-decision-id", answer.body.decision_id);
    await expect(entries.first()).toContainText("Your data");
    await expect(entries.nth(1)).toHaveAttribute("data-decision", "deny");
    await expect(entries.nth(1)).toHaveAttribute("data-reason", "consent_not_given");

    expect(errors, "page or console errors").toEqual([]);
  });
});
