import { expect, test, type Page } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import {
  Agency,
  NO_CLIENT_MESSAGE,
  RESIDENT_NUMBER,
  apiClient,
  freshResident,
  h1,
  jsEnabled,
  open,
  purposeItem,
  watchPageErrors,
} from "./helpers";

// Arabic, written right to left, on the narrowest phone the site supports (320 px wide).
// Runs in all four projects: with and without JavaScript (the viewport is set here, so the
// desktop projects run it at 320 px too).

test.use({ viewport: { width: 320, height: 720 } });
// Ten pages, each checked with axe; with JavaScript each waits for the WebAssembly app (the
// unoptimised debug bundle takes 40-60 s to arrive on a loaded two-core machine). test.slow()
// below triples this; a hang still fails.
test.describe.configure({ timeout: 200_000 });

const AR = {
  homeH1: "اعرف أي أنظمة المدينة تجمع البيانات، ولماذا",
  browse: "تصفّح السجل",
  registerH1: "سجل أنظمة المدينة",
  search: "بحث",
  systemName: "كاميرات المراقبة في وسط المدينة",
  why: "لماذا يجمع البيانات",
  signUpH1: "إنشاء حساب",
  name: "اسمك",
  email: "البريد الإلكتروني",
  password: "كلمة المرور",
  preferredLanguage: "اللغة المفضلة",
  createAccount: "أنشئ الحساب",
  signInH1: "تسجيل الدخول",
  signIn: "سجّل الدخول",
  accountH1: "حسابك",
  myH1: "بياناتك",
  enrolmentCode: "رمز الاشتراك",
  enrolledRegion: "الأنظمة المشترك فيها",
  grant: "امنح الموافقة",
  given: "موافقتك: ممنوحة",
  historyH1: "سجل الموافقات",
  receiptLink: "الإيصال",
  receiptH1: "إيصال الموافقة",
  youGave: "منحت الموافقة.",
  withdrawalHow: "سجّل الدخول، وافتح «بياناتك»، واضغط «اسحب الموافقة» بجانب الغرض: إجراء واحد يسري فورًا.",
};

const SYSTEM = "myriverton-account";
const SYSTEM_NAME = "حساب المدينة MyRiverton";
const PURPOSE = "city-newsletter";
const PURPOSE_NAME = "نشرة المدينة";

/** The page is Arabic, right to left, passes axe and does not scroll sideways at 320 px. */
async function expectArabicPage(page: Page): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("html[dir=rtl][lang=ar]")).toHaveCount(1);
  const language = page.getByRole("navigation", { name: "اللغة", exact: true });
  for (const name of ["English", "Español", "العربية"]) {
    await expect(language.getByRole("link", { name, exact: true })).toBeVisible();
  }
  const { scrollWidth, width } = await page.evaluate(() => ({
    scrollWidth: (document.scrollingElement ?? document.documentElement).scrollWidth,
    width: window.innerWidth,
  }));
  expect(width).toBe(320);
  expect(scrollWidth, `${page.url()} scrolls sideways at 320 px: scrollWidth ${scrollWidth}`).toBeLessThanOrEqual(320);
  await expectNoAxeViolations(page);
}

test("a resident reads the register, signs up and gets a consent receipt, all in Arabic at 320 px", async ({
  page,
  request,
}) => {
  const client = apiClient();
  test.skip(!client, NO_CLIENT_MESSAGE);
  test.slow();
  const errors = watchPageErrors(page);

  // The switch on every page offers all three languages; choosing Arabic comes back here.
  await open(page, "/");
  const english = page.getByRole("navigation", { name: "Language", exact: true });
  for (const name of ["English", "Español", "العربية"]) {
    await expect(english.getByRole("link", { name, exact: true })).toBeVisible();
  }
  const arabic = english.getByRole("link", { name: "العربية", exact: true });
  await expect(arabic).toHaveAttribute("lang", "ar");
  await expect(arabic).toHaveAttribute("dir", "rtl");
  await arabic.click();
  await expect(page).toHaveURL(/\/$/);
  if (jsEnabled()) await page.waitForLoadState("networkidle");
  await expect(h1(page)).toHaveText(AR.homeH1);
  await expectArabicPage(page);

  // The register.
  await page.getByRole("link", { name: AR.browse, exact: true }).click();
  await expect(page).toHaveURL(/\/systems$/);
  if (jsEnabled()) await page.waitForLoadState("networkidle");
  await expect(h1(page)).toHaveText(AR.registerH1);
  await expect(page.getByLabel(AR.search, { exact: true })).toBeVisible();
  await expectArabicPage(page);

  // A system: its texts in Arabic; its officer's email still reads left to right.
  await open(page, "/systems/downtown-cctv");
  await expect(h1(page)).toHaveText(AR.systemName);
  await expect(page.getByRole("heading", { name: AR.why, exact: true })).toBeVisible();
  const email = page.locator('a[href="mailto:dpo@police.riverton.example"]');
  await expect(email).toHaveText("dpo@police.riverton.example");
  await expect(email).toHaveAttribute("dir", "ltr");
  await expectArabicPage(page);

  // Sign up, then sign in: the forms in Arabic.
  const r = freshResident();
  await open(page, "/signup");
  await expect(h1(page)).toHaveText(AR.signUpH1);
  await page.getByLabel(AR.name, { exact: true }).fill(r.name);
  await page.getByLabel(AR.email, { exact: true }).fill(r.email);
  await page.getByLabel(AR.password, { exact: true }).fill(r.password);
  await page.getByLabel(AR.preferredLanguage, { exact: true }).selectOption("ar");
  await expectArabicPage(page);
  await page.getByRole("button", { name: AR.createAccount, exact: true }).click();
  await expect(page).toHaveURL(/\/login\?signed_up=1$/);
  await expect(h1(page)).toHaveText(AR.signInH1);
  await page.getByLabel(AR.email, { exact: true }).fill(r.email);
  await page.getByLabel(AR.password, { exact: true }).fill(r.password);
  await page.getByRole("button", { name: AR.signIn, exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(h1(page)).toHaveText(AR.accountH1);
  // The resident number reads left to right inside the Arabic page.
  const numberEl = page.getByTestId("resident-number");
  await expect(numberEl).toHaveText(RESIDENT_NUMBER);
  await expect(numberEl).toHaveAttribute("dir", "ltr");
  const number = ((await numberEl.textContent()) ?? "").trim();
  await expectArabicPage(page);

  // The agency gives an enrolment code; the resident enters it on /my.
  const agency = new Agency(request, client!);
  const code = await agency.enrollmentCode(SYSTEM);
  await open(page, "/my");
  await expect(h1(page)).toHaveText(AR.myH1);
  const field = page.getByLabel(AR.enrolmentCode, { exact: true });
  await field.fill(code);
  await field.press("Enter");
  const enrolled = page.getByRole("region", { name: AR.enrolledRegion, exact: true });
  const line = enrolled.locator(`li.system-line[data-system="${SYSTEM}"]`);
  await expect(line).toHaveCount(1);
  await expect(line.getByRole("link", { name: SYSTEM_NAME, exact: true })).toHaveCount(1);
  await expect(page.getByTestId("enrolled-now")).toContainText(SYSTEM_NAME);

  // The resident gives consent, in Arabic, on the system's own page.
  await open(page, `/my/systems/${SYSTEM}`);
  const item = purposeItem(page, SYSTEM, PURPOSE);
  await expect(item.getByRole("heading", { level: 2 })).toHaveText(PURPOSE_NAME);
  await expectArabicPage(page);
  await item.getByRole("button", { name: AR.grant, exact: true }).click();
  if (!jsEnabled()) await expect(page).toHaveURL(new RegExp(`/my/systems/${SYSTEM}\\??$`));
  await expect(item.locator("p.consent-state")).toHaveAttribute("data-state", "given");
  await expect(item.locator("p.consent-state")).toHaveText(AR.given);
  const granted = await agency.check(number, SYSTEM, PURPOSE);
  expect(granted).toMatchObject({ decision: "permit", reason: "consent_given" });

  // Its receipt, in Arabic, with the resident number isolated left to right.
  await open(page, "/my/consents/history");
  await expect(h1(page)).toHaveText(AR.historyH1);
  await expectArabicPage(page);
  const entry = page.getByTestId("consent-history").locator("li.log-entry").first();
  await entry.getByRole("link", { name: AR.receiptLink, exact: true }).click();
  await expect(page).toHaveURL(/\/my\/consents\/[^/?#]+$/);
  if (jsEnabled()) await page.waitForLoadState("networkidle");
  await expect(h1(page)).toHaveText(AR.receiptH1);
  const receipt = page.getByTestId("receipt");
  await expect(receipt).toContainText(AR.youGave);
  await expect(receipt).toContainText(PURPOSE_NAME);
  await expect(receipt).toContainText(AR.withdrawalHow);
  await expect(receipt.locator('bdi[dir="ltr"]', { hasText: number })).toHaveCount(1);
  await expectArabicPage(page);

  // The receipt's JSON, in the resident's language.
  const jsonPath = (await receipt.getByTestId("receipt-download").getAttribute("href")) ?? "";
  expect(jsonPath).toMatch(/^\/my\/consents\/[^/?#]+\/receipt\.json\?lang=ar$/);
  const download = await page.request.get(jsonPath);
  expect(download.status()).toBe(200);
  const json = await download.json();
  expect(json.language).toBe("ar");
  expect(json.piiPrincipalId).toBe(number);
  expect(json.event.validity).toBe("إلى أن تُسحب");

  expect(errors).toEqual([]);
});
