import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, h1, jsEnabled, watchPageErrors } from "./helpers";
import { NO_OPERATOR_CLI_MESSAGE, base32Decode, freshStaffWithEnrolmentCode, operatorCli, totp } from "./staff";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// A staff member's second factor: the operator gives a fresh officer a one-time enrolment
// code (`admin reset-second-factor`, through the command line as a city's operator does);
// the officer's first sign-in asks for it before it shows any authenticator, enrols one with
// the secret on the page, and a later sign-in needs the authenticator's code. Then the
// officer sees both sign-ins on /account/sessions and ends the other one. Each test makes
// its own officer, so the projects never share one.

const WRONG_ENROLMENT_CODE = "That enrolment code is not right. Check it and try again, or ask your administrator for a new one.";
const SPENT_ENROLMENT_CODE = "That enrolment code has expired or was used already. Ask your administrator for a new one.";

test.describe.configure({ timeout: 120_000 });

/** Signs in with the password, which leads to the second step. */
async function passwordStep(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await expect(h1(page)).toHaveText("Sign in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/login\/second-factor(\?|$)/);
  await expect(h1(page)).toHaveText("Confirm it is you");
  await expect(page.getByText(email, { exact: true })).toBeVisible();
}

async function enterEnrolmentCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Enrolment code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Continue", exact: true }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("Code from your authenticator app", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Confirm and sign in", exact: true }).click();
}

test("the RFC 6238 test vectors give this spec's authenticator codes", () => {
  const seed = Buffer.from("12345678901234567890");
  expect(totp(seed, 59_000)).toBe("287082");
  expect(totp(seed, 1_111_111_109_000)).toBe("081804");
  expect(totp(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), 2_000_000_000_000)).toBe("279037");
});

test("an officer enrols with the operator's code, then signs in with the authenticator", async ({ page }) => {
  test.skip(!operatorCli(), NO_OPERATOR_CLI_MESSAGE);
  const errors = watchPageErrors(page);
  const staff = freshStaffWithEnrolmentCode();

  // The password alone shows no authenticator: first the enrolment code.
  await passwordStep(page, staff.email, staff.password);
  await expect(page.getByRole("heading", { name: "Enter your enrolment code", level: 2 })).toBeVisible();
  await expect(page.getByTestId("totp-secret")).toHaveCount(0);
  await expect(page.getByRole("img", { name: /QR code/ })).toHaveCount(0);
  await expectAccessible(page);

  // A wrong code is a clear sentence, and still shows nothing.
  await enterEnrolmentCode(page, "ABCDE-FGHJK-MNPQR-STVWX");
  await expect(page.getByRole("alert")).toHaveText(WRONG_ENROLMENT_CODE);
  await expect(page.getByTestId("totp-secret")).toHaveCount(0);
  await expectAccessible(page);

  // The right code (typed in lower case) shows the authenticator to set up.
  await enterEnrolmentCode(page, staff.enrolmentCode.toLowerCase());
  await expect(page.getByRole("heading", { name: "Set up your authenticator app", level: 2 })).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code that adds this account to an authenticator app" })).toBeVisible();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const shown = ((await page.getByTestId("totp-secret").textContent()) ?? "").trim();
  expect(shown).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/);
  const secret = base32Decode(shown);
  await expectAccessible(page);

  await enterCode(page, totp(secret));
  await expect(page).toHaveURL(/\/account$/);
  await expect(h1(page)).toHaveText("Your account");

  // A later sign-in (another browser): the password, then the authenticator's next code.
  await page.context().clearCookies();
  await passwordStep(page, staff.email, staff.password);
  await expect(page.getByLabel("Enrolment code", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("totp-secret")).toHaveCount(0);
  await expectAccessible(page);
  await enterCode(page, "000000");
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await enterCode(page, totp(secret, Date.now() + 30_000));
  await expect(page).toHaveURL(/\/account$/);
  await expect(h1(page)).toHaveText("Your account");

  // Both sign-ins are listed; the officer ends the other one.
  await page.goto("/account/sessions");
  await expect(h1(page)).toHaveText("Where you are signed in");
  const sessions = page.getByTestId("sessions").locator("li");
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ hasText: "This device" })).toHaveCount(1);
  await expectAccessible(page);
  await page.getByRole("button", { name: "End every other session", exact: true }).click();
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toContainText("This device");
  await expectAccessible(page);

  // The enrolment code worked once: a new sign-in cannot use it to enrol again.
  await page.context().clearCookies();
  await passwordStep(page, staff.email, staff.password);
  await expect(page.getByLabel("Enrolment code", { exact: true })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a used enrolment code is refused with a clear sentence", async ({ page, browser }) => {
  test.skip(!operatorCli(), NO_OPERATOR_CLI_MESSAGE);
  const errors = watchPageErrors(page);
  const staff = freshStaffWithEnrolmentCode();
  await passwordStep(page, staff.email, staff.password);
  await enterEnrolmentCode(page, staff.enrolmentCode);
  await expect(page.getByTestId("totp-secret")).toBeVisible();

  // Someone else who has the password and the code, in another browser, sees no secret.
  const other = await browser.newContext({ javaScriptEnabled: jsEnabled() });
  const second = await other.newPage();
  await passwordStep(second, staff.email, staff.password);
  await enterEnrolmentCode(second, staff.enrolmentCode);
  await expect(second.getByRole("alert")).toHaveText(SPENT_ENROLMENT_CODE);
  await expect(second.getByTestId("totp-secret")).toHaveCount(0);
  await expectAccessible(second);
  await other.close();
  expect(errors).toEqual([]);
});
