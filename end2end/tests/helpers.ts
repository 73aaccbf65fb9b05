import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { expectNoAxeViolations, expectNoHorizontalScroll } from "./a11y";

// Helpers the end-to-end specs share: fresh residents, sign-up and sign-in, the agency API,
// page checks.

// Crockford-style alphabet without 0, 1, I, L, O, U.
export const RESIDENT_NUMBER = /^GH-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/;

export type Resident = { name: string; email: string; password: string };

export function freshResident(): Resident {
  const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    name: `E2E Resident ${id}`,
    email: `e2e-${id}@example.org`,
    password: "quiet lantern orchard river",
  };
}

export function h1(page: Page): Locator {
  return page.getByRole("heading", { level: 1 });
}

/** Opens /signup and fills the form; does not submit. */
export async function fillSignUp(page: Page, r: Resident): Promise<void> {
  await page.goto("/signup");
  await expect(h1(page)).toHaveText("Create an account");
  await page.getByLabel("Your name", { exact: true }).fill(r.name);
  await page.getByLabel("Email", { exact: true }).fill(r.email);
  await page.getByLabel("Password", { exact: true }).fill(r.password);
  await page.getByLabel("Preferred language", { exact: true }).selectOption("en");
}

/** The note the sign-in page shows after any sign-up, whether or not the email was new. */
export const SIGNED_UP =
  "If no account used that email yet, yours is ready: sign in with it below. If one did, nothing was changed, and its owner has been told.";

/** Submits the filled sign-up form and waits for the sign-in page with its note. */
export async function submitSignUp(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await expect(page).toHaveURL(/\/login\?signed_up=1$/);
  await expect(h1(page)).toHaveText("Sign in");
  await expect(page.getByTestId("signed-up")).toHaveText(SIGNED_UP);
}

/** Signs up through /signup, then signs in (sign-up never does), and waits for the account page. */
export async function signUp(page: Page, r: Resident): Promise<void> {
  await fillSignUp(page, r);
  await submitSignUp(page);
  await signIn(page, r.email, r.password);
}

/** Signs in through /login and waits for the account page. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await expect(h1(page)).toHaveText("Sign in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  // Checking a password is deliberately slow (argon2id): seconds on a busy two-core machine.
  await expect(page).toHaveURL(/\/account$/, { timeout: 15_000 });
  await expect(h1(page)).toHaveText("Your account");
}

/** The resident number shown on /account (the page must be open). */
export async function residentNumber(page: Page): Promise<string> {
  const el = page.getByTestId("resident-number");
  await expect(el).toHaveText(RESIDENT_NUMBER);
  return ((await el.textContent()) ?? "").trim();
}

/** Signs up a fresh resident and returns their resident number. */
export async function freshSignedUpResident(page: Page): Promise<{ resident: Resident; number: string }> {
  const resident = freshResident();
  await signUp(page, resident);
  return { resident, number: await residentNumber(page) };
}

/** Whether the current project runs with JavaScript. */
export function jsEnabled(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/**
 * Opens `path` and, with JavaScript, waits until the WebAssembly app has hydrated. The app
 * exposes no hydration flag; once the network is idle the wasm bundle has been fetched and
 * hydrate() has run (the same signal the *.hydrate specs use).
 */
export async function open(page: Page, path: string): Promise<void> {
  const response = await page.goto(path, { waitUntil: "load" });
  expect(response, `navigation to ${path} returned no response`).not.toBeNull();
  expect(response!.status(), `GET ${path} answered ${response!.status()}`).toBe(200);
  if (jsEnabled()) await page.waitForLoadState("networkidle");
}

/**
 * The signed-in resident enters an agency's enrollment `code` on /my, by keyboard, and the
 * system's line appears among their enrolled systems.
 */
export async function enterEnrollmentCode(page: Page, code: string, system: string): Promise<void> {
  await open(page, "/my");
  const field = page.getByLabel("Enrolment code");
  await field.fill(code);
  await field.press("Enter");
  const enrolled = page.getByRole("region", { name: "Systems you are enrolled with", exact: true });
  await expect(enrolled.locator(`li.system-line[data-system="${system}"]`)).toHaveCount(1);
  // The server renders the confirmation, with or without JavaScript.
  await expect(page.getByTestId("enrolled-now")).toContainText("You are now enrolled with");
}

/** axe on the current page, and on phones no sideways scrolling. */
export async function expectAccessible(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  if (test.info().project.use.isMobile) await expectNoHorizontalScroll(page);
}

/**
 * Collects what should never happen on a page: uncaught errors, console errors, any
 * answer of 500 or more, and a missing asset (script, wasm, stylesheet, image). The
 * browser's own "Failed to load resource" console line is left out: the response itself
 * is reported instead, with its method and URL.
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror on ${page.url()}: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
      errors.push(`console.error on ${page.url()}: ${msg.text()}`);
    }
  });
  page.on("response", (response) => {
    const request = response.request();
    const status = response.status();
    const asset = !["document", "fetch", "xhr"].includes(request.resourceType());
    if (status >= 500 || (status >= 400 && asset)) {
      errors.push(`${request.method()} ${response.url()} answered ${status} (on ${page.url()})`);
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------
// /my and /my/systems/{slug}
// ---------------------------------------------------------------------------

/** A system's line on the summary, /my. */
export function systemLine(page: Page, slug: string): Locator {
  return page.locator(`li.system-line[data-system="${slug}"]`);
}

/** One purpose, with its consent choice, on the system's page /my/systems/{slug}. */
export function purposeItem(page: Page, system: string, purpose: string): Locator {
  return page.locator(`.my-system[data-system="${system}"] li.purpose[data-purpose="${purpose}"]`);
}

// ---------------------------------------------------------------------------
// The agency API
// ---------------------------------------------------------------------------

export type ApiClient = { id: string; secret: string };

/** The agency client scripts/test.sh creates, or null when the environment lacks it. */
export function apiClient(): ApiClient | null {
  const id = process.env.E2E_CLIENT_ID;
  const secret = process.env.E2E_CLIENT_SECRET;
  return id && secret ? { id, secret } : null;
}

export const NO_CLIENT_MESSAGE =
  "E2E_CLIENT_ID and E2E_CLIENT_SECRET are not set: scripts/test.sh creates an agency client " +
  "(glasshouse admin create-client --agency riverton-digital-services " +
  "--scopes consent:check,subjects:read,enrollment:write,requests:work,consent:changes,incidents:write) and exports them";

// Token requests are limited to 5 a minute per client and address, and tokens last 15
// minutes: each worker asks once and reuses its token (re-asking shortly before expiry).
let cachedToken: { token: string; until: number } | null = null;

export async function agencyToken(request: APIRequestContext, client: ApiClient): Promise<string> {
  if (cachedToken && cachedToken.until > Date.now()) return cachedToken.token;
  const basic = Buffer.from(`${client.id}:${client.secret}`).toString("base64");
  for (let attempt = 0; ; attempt++) {
    const response = await request.post("/api/v1/oauth/token", {
      form: { grant_type: "client_credentials" },
      headers: { Authorization: `Basic ${basic}` },
    });
    if (response.status() === 429 && attempt < 3) {
      const wait = Number(response.headers()["retry-after"] ?? "15");
      await new Promise((resolve) => setTimeout(resolve, (Math.min(wait, 30) + 1) * 1000));
      continue;
    }
    expect(response.status(), `token request answered: ${await response.text()}`).toBe(200);
    const body = await response.json();
    expect(body.token_type).toBe("Bearer");
    expect(typeof body.access_token).toBe("string");
    const lifetime = Number(body.expires_in ?? 900);
    cachedToken = { token: body.access_token, until: Date.now() + Math.max(lifetime - 120, 30) * 1000 };
    return body.access_token;
  }
}

/** The agency API as one client sees it. */
export class Agency {
  constructor(
    private readonly request: APIRequestContext,
    private readonly client: ApiClient,
  ) {}

  private async auth(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await agencyToken(this.request, this.client)}` };
  }

  /** POST /api/v1/enrollments/codes; expects 201 and returns the one-time code. */
  async enrollmentCode(system: string): Promise<string> {
    const response = await this.request.post("/api/v1/enrollments/codes", {
      headers: await this.auth(),
      data: { system },
    });
    expect(response.status(), `enrollment code issued: ${await response.text()}`).toBe(201);
    return (await response.json()).code;
  }

  /** POST /api/v1/consent/check; expects 200 and returns the body. */
  async check(subject: string, system: string, purpose: string): Promise<CheckAnswer> {
    const response = await this.request.post("/api/v1/consent/check", {
      headers: await this.auth(),
      data: { subject, system, purpose },
    });
    expect(response.status(), `consent check answered: ${await response.text()}`).toBe(200);
    return response.json();
  }

  /** POST /api/v1/subjects/query; returns status and body. */
  async query(subject: string, system: string, purpose: string): Promise<{ status: number; body: any }> {
    const response = await this.request.post("/api/v1/subjects/query", {
      headers: await this.auth(),
      data: { subject, system, purpose },
    });
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text for the failure message
    }
    return { status: response.status(), body };
  }
}

/** The agency's privacy-request tasks (GET /api/v1/privacy-requests/tasks). */
export async function agencyTasks(request: APIRequestContext, client: ApiClient): Promise<any[]> {
  const headers = { Authorization: `Bearer ${await agencyToken(request, client)}` };
  const tasks: any[] = [];
  let cursor: string | null = null;
  // Every page, following next_cursor until it is null.
  do {
    const query: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await request.get(`/api/v1/privacy-requests/tasks?status=open&limit=200${query}`, { headers });
    expect(response.status(), `task list answered: ${await response.text()}`).toBe(200);
    const page = await response.json();
    tasks.push(...page.tasks);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return tasks;
}

/** Completes one of the agency's tasks; returns the status. */
export async function completeTask(
  request: APIRequestContext,
  client: ApiClient,
  task: string,
  body: Record<string, unknown>,
): Promise<number> {
  const response = await request.post(`/api/v1/privacy-requests/tasks/${encodeURIComponent(task)}/complete`, {
    headers: { Authorization: `Bearer ${await agencyToken(request, client)}` },
    data: body,
  });
  return response.status();
}

export type CheckAnswer = {
  decision: string;
  reason: string;
  legal_basis: string | null;
  decision_id: string;
  evaluated_at: string;
};
