import { expect, test } from "@playwright/test";
import {
  Agency,
  NO_CLIENT_MESSAGE,
  agencyTasks,
  apiClient,
  completeTask,
  enterEnrollmentCode,
  expectAccessible,
  freshSignedUpResident,
  h1,
  jsEnabled,
  open,
  signIn,
  watchPageErrors,
} from "./helpers";

// Runs in all four projects: with and without JavaScript, desktop and phone.
//
// The story of one access request: a fresh resident (enrolled by the agency that runs the
// MyRiverton account) files it; the agency completes its task through the API; an officer
// finds it in the queue, verifies the identity, writes to the resident and fulfils it; the
// resident reads the message, is notified, and downloads the package. The officer is the
// one scripts/test.sh creates (E2E_OFFICER_EMAIL / E2E_OFFICER_PASSWORD).

const SYSTEM = "myriverton-account";
const SYSTEM_NAME = /MyRiverton city account/;
const DETAILS = "Please include my sign-in history.";
const MESSAGE = "We found your account and sign-in history; the package is ready.";

test.describe.configure({ timeout: 180_000 });

test("a resident's access request goes from the form to the package", async ({ page, browser, request }) => {
  const client = apiClient();
  test.skip(!client, NO_CLIENT_MESSAGE);
  const officerEmail = process.env.E2E_OFFICER_EMAIL;
  const officerPassword = process.env.E2E_OFFICER_PASSWORD;
  test.skip(!officerEmail || !officerPassword, "E2E_OFFICER_EMAIL and E2E_OFFICER_PASSWORD are not set: scripts/test.sh creates the officer");
  const errors = watchPageErrors(page);

  // The resident, enrolled with the system by its agency.
  const { number } = await freshSignedUpResident(page);
  const agency = new Agency(request, client!);
  await enterEnrollmentCode(page, await agency.enrollmentCode(SYSTEM), SYSTEM);

  // Files an access request for that one system.
  await open(page, "/my/requests/new");
  await expect(h1(page)).toHaveText("Use your privacy rights");
  await expectAccessible(page);
  await page.getByLabel("Access", { exact: true }).check();
  await page.getByLabel("Only the systems I tick below").check();
  await page.getByLabel(SYSTEM_NAME).check();
  await page.getByLabel("Details (optional)").fill(DETAILS);
  await page.getByRole("button", { name: "Send request", exact: true }).click();
  await expect(page).toHaveURL(/\/my\/requests\/[0-9a-f]+\?sent=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Your request was received" })).toBeVisible();
  const requestId = new URL(page.url()).pathname.split("/").pop()!;
  await expect(page.getByTestId("request-facts")).toHaveAttribute("data-status", "received");
  await expect(page.getByTestId("request-tasks").locator(`li[data-system="${SYSTEM}"]`)).toHaveAttribute("data-outcome", "open");
  await expectAccessible(page);

  // The agency completes its part through the API.
  const task = (await agencyTasks(request, client!)).find((t) => t.request_id === requestId);
  expect(task, "the agency sees the task").toBeTruthy();
  expect(task.subject).toBe(number);
  expect(task.details).toBe(DETAILS);
  expect(await completeTask(request, client!, task.id, { outcome: "done", note: "Sign-ins attached.", data: { sign_ins: ["2026-11-20"] } })).toBe(200);
  expect(await completeTask(request, client!, task.id, { outcome: "done" })).toBe(409);

  // The officer finds it in the queue, verifies, writes, and fulfils.
  const officerContext = await browser.newContext({ javaScriptEnabled: jsEnabled() });
  const officer = await officerContext.newPage();
  const officerErrors = watchPageErrors(officer);
  await signIn(officer, officerEmail!, officerPassword!);
  await open(officer, "/admin");
  await expect(officer.getByTestId("request-stats").locator('[data-stat="open"]')).not.toHaveText("0");
  await expect(officer.locator("figure.week-chart svg")).toBeVisible();
  await expectAccessible(officer);
  await open(officer, `/admin/requests?q=${encodeURIComponent(number)}`);
  await expect(h1(officer)).toHaveText("Privacy requests");
  const row = officer.getByTestId("request-queue").locator("tbody tr");
  await expect(row).toHaveCount(1);
  await expect(row.locator("[data-urgency]")).toHaveAttribute("data-urgency", "green");
  await expectAccessible(officer);
  await row.getByRole("link", { name: "Access" }).click();
  await expect(officer).toHaveURL(new RegExp(`/admin/requests/${requestId}$`));
  await expect(officer.getByTestId("case-facts")).toHaveAttribute("data-status", "received");
  await expect(officer.getByTestId("case-tasks").locator(`li[data-system="${SYSTEM}"]`)).toHaveAttribute("data-outcome", "done");
  await expectAccessible(officer);
  await officer.getByRole("button", { name: "Identity verified: start work" }).click();
  await expect(officer.getByTestId("case-facts")).toHaveAttribute("data-status", "in_progress");
  await officer.getByLabel("Your question (the clock pauses until they answer)").fill(MESSAGE);
  await officer.getByRole("button", { name: "Ask the resident" }).click();
  await expect(officer.getByTestId("request-messages")).toContainText(MESSAGE);
  await officer.getByRole("button", { name: "Fulfil the request" }).click();
  await expect(officer.getByTestId("case-facts")).toHaveAttribute("data-status", "fulfilled");
  expect(officerErrors).toEqual([]);
  await officerContext.close();

  // The resident is told, reads the message, and gets the package.
  await open(page, "/my/notifications");
  await expect(page.getByTestId("notifications").locator('li[data-list="request"]')).toHaveCount(3);
  await expectAccessible(page);
  await open(page, `/my/requests/${requestId}`);
  await expect(page.getByTestId("request-facts")).toHaveAttribute("data-status", "fulfilled");
  await expect(page.getByTestId("request-messages")).toContainText(MESSAGE);
  await expectAccessible(page);
  await page.getByTestId("package-links").getByRole("link", { name: "Read your data" }).click();
  await expect(page).toHaveURL(new RegExp(`/my/requests/${requestId}/package$`));
  await expect(h1(page)).toHaveText("Your data");
  await expect(page.getByTestId("package-reports")).toContainText("2026-11-20");
  await expect(page.getByTestId("package-profile")).toContainText(number);
  await expectAccessible(page);
  const download = await page.request.get(`/my/requests/${requestId}/package.json`);
  expect(download.status()).toBe(200);
  expect(download.headers()["content-disposition"]).toContain("attachment");
  const json = await download.json();
  expect(json.request_id).toBe(requestId);
  expect(json.profile.resident_number).toBe(number);
  expect(json.agency_reports[0].data).toEqual({ sign_ins: ["2026-11-20"] });
  expect(errors).toEqual([]);
});

test("a request that is not the resident's is not found", async ({ page }) => {
  await freshSignedUpResident(page);
  const response = await page.goto("/my/requests/0000000000000000000000000000dead");
  expect(response!.status()).toBe(404);
  await expect(page.getByRole("alert")).toBeVisible();
});
