import { expect, test, type Page } from "@playwright/test";
import { expectNoAxeViolations, expectNoHorizontalScroll } from "./a11y";
import { RESIDENT_NUMBER, fillSignUp, freshResident, h1, signUp, submitSignUp } from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// Sign-in is limited to 5 attempts per minute per email. The demo officer is
// the only demo account used here, and only once per project (4 per run).
// Every other test signs up its own fresh resident.

const OFFICER = {
  email: "privacy.officer@riverton.example",
  password: "riverton demo officer",
};

const WRONG_CREDENTIALS = "The email or password is not right. Check both and try again.";

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/** Opens /login and submits the form. */
async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await expect(h1(page)).toHaveText("Sign in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/account$/);
  await expect(h1(page)).toHaveText("Your account");
}

/** Clicks "Sign out" on /account and checks the header is signed out again. */
async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(mainNav(page).getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Your account", exact: true })).toHaveCount(0);
}

async function residentNumber(page: Page): Promise<string> {
  const el = page.getByTestId("resident-number");
  await expect(el).toHaveText(RESIDENT_NUMBER);
  return ((await el.textContent()) ?? "").trim();
}

test.describe("Accounts", () => {
  test("a resident signs up, signs in, sees the resident number, signs out, and is refused the console", async ({
    page,
  }) => {
    const r = freshResident();

    await fillSignUp(page, r);
    await expectNoAxeViolations(page);
    // Sign-up never signs in: the sign-in page says the account is ready if the email was new.
    await submitSignUp(page);
    await expectNoAxeViolations(page);
    await signIn(page, r.email, r.password);

    const facts = page.getByRole("main").locator("dl");
    await expect(facts.locator("dt")).toHaveText(["Name", "Email", "Resident number"]);
    await expect(facts.locator("dd").nth(0)).toHaveText(r.name);
    await expect(facts.locator("dd").nth(1)).toHaveText(r.email);
    const number = await residentNumber(page);
    expect(number).toMatch(RESIDENT_NUMBER);
    await expect(mainNav(page).getByRole("link", { name: "Your account", exact: true })).toBeVisible();
    await expect(mainNav(page).getByRole("link", { name: "Officer console", exact: true })).toHaveCount(0);
    await expectNoAxeViolations(page);

    await signOut(page);

    await signIn(page, r.email, r.password);
    expect(await residentNumber(page), "the resident number changed after signing in again").toBe(number);

    const response = await page.goto("/admin");
    expect(response, "navigation to /admin returned no response").not.toBeNull();
    expect(response!.status(), "a resident must get 403 on /admin").toBe(403);
    await expect(h1(page)).toHaveText("Not allowed");
    await expect(page.getByRole("heading", { name: "Officer console" })).toHaveCount(0);
    await expectNoAxeViolations(page);
  });

  test("a wrong password is refused with one plain message", async ({ page }) => {
    const r = freshResident();
    await signUp(page, r);
    await signOut(page);

    await submitSignIn(page, r.email, "not the right password at all");
    const alert = page.getByRole("alert");
    await expect(alert).toHaveText(WRONG_CREDENTIALS);
    await expect(alert).toHaveCount(1);
    await expect(page).toHaveURL(/\/login(\?|$)/);
    await expect(h1(page)).toHaveText("Sign in");
    await expect(mainNav(page).getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
    await expect(mainNav(page).getByRole("link", { name: "Your account", exact: true })).toHaveCount(0);
    await expectNoAxeViolations(page);

    // Still signed out: the account page sends the visitor to sign in.
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login(\?|$)/);
    await expect(h1(page)).toHaveText("Sign in");
  });

  test("a signed-out resident opening their access log signs in and is back on it", async ({ page }) => {
    const r = freshResident();
    await fillSignUp(page, r);
    await submitSignUp(page);

    await page.goto("/my/access-log");
    await expect(page).toHaveURL(/\/login\?next=\/my\/access-log$/);
    await page.getByLabel("Email", { exact: true }).fill(r.email);
    await page.getByLabel("Password", { exact: true }).fill(r.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/my\/access-log$/);
    await expect(h1(page)).toHaveText("Who asked about you");
  });

  test("signing up with a taken email answers as for a new one, and tells the owner", async ({ page }) => {
    const r = freshResident();
    await signUp(page, r);
    const number = await residentNumber(page);
    await signOut(page);

    // The same answer as any sign-up: the sign-in page with its note, no session.
    await fillSignUp(page, { ...r, name: `${r.name} again`, password: "another long passphrase" });
    await submitSignUp(page);
    await expect(page.getByRole("alert")).toHaveCount(0);
    await expect(mainNav(page).getByRole("link", { name: "Your account", exact: true })).toHaveCount(0);
    await expectNoAxeViolations(page);

    // Nothing changed: the second password opens nothing, the first account keeps its
    // password, name and number, and its owner finds a notice.
    await submitSignIn(page, r.email, "another long passphrase");
    await expect(page.getByRole("alert")).toHaveText(WRONG_CREDENTIALS);
    await signIn(page, r.email, r.password);
    await expect(page.getByRole("main").locator("dl dd").nth(0)).toHaveText(r.name);
    expect(await residentNumber(page)).toBe(number);
    await page.goto("/my/notifications");
    await expect(page.locator('[data-kind="sign_up_attempts"]')).toContainText(
      "Someone tried to create a new account with your email at",
    );
    await expectNoAxeViolations(page);
  });

  test("an officer signs in and reaches the console", async ({ page }) => {
    // Exactly one sign-in with the shared demo officer per project.
    await signIn(page, OFFICER.email, OFFICER.password);
    await expect(mainNav(page).getByRole("link", { name: "Officer console", exact: true })).toBeVisible();

    const response = await page.goto("/admin");
    expect(response, "navigation to /admin returned no response").not.toBeNull();
    expect(response!.status(), "the officer must get 200 on /admin").toBe(200);
    await expect(h1(page)).toHaveText("Officer console");
    await expectNoAxeViolations(page);
  });

  test("the account pages do not scroll sideways on a phone", async ({ page, isMobile }) => {
    test.skip(!isMobile, "only checked at phone size");

    await page.goto("/login");
    await expect(h1(page)).toHaveText("Sign in");
    await expectNoHorizontalScroll(page);

    await page.goto("/signup");
    await expect(h1(page)).toHaveText("Create an account");
    await expectNoHorizontalScroll(page);

    await signUp(page, freshResident());
    await expect(page.getByTestId("resident-number")).toHaveText(RESIDENT_NUMBER);
    await expectNoHorizontalScroll(page);
  });
});
