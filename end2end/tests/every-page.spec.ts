import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { expectNoAxeViolations } from "./a11y";
import { h1, jsEnabled, watchPageErrors } from "./helpers";

// Every page route of the app (app/src/lib.rs's <Routes>), opened 320 px wide: axe finds
// nothing, and nothing scrolls sideways. Runs in all four projects (desktop and phone,
// JavaScript on and off). A page with a `:id` or `:slug` takes a real one of the demo city,
// read from the page that links to it. A route added to the app belongs in ROUTES.
//
// One test per page: with JavaScript every signed-in page load fetches and compiles the
// WebAssembly bundle again (nothing private is cached), which takes 10–40 s on a busy
// two-core machine. The demo accounts are only read here; each signs in once per worker,
// through the sign-in server function rather than the form (sign-in is limited per email).

type Role = "public" | "resident" | "officer" | "admin";

const ACCOUNTS: Record<Exclude<Role, "public">, { email: string; password: string }> = {
  resident: { email: "ana.garcia@riverton.example", password: "riverton demo resident" },
  officer: { email: "privacy.officer@riverton.example", password: "riverton demo officer" },
  admin: { email: "admin@riverton.example", password: "riverton demo admin" },
};

/** A system of the demo city that the demo resident is enrolled with. */
const SYSTEM = "riverpass-fare-card";
/** An agency of the demo city. */
const AGENCY = "riverton-transit";

/**
 * One page: who opens it, its path (`{}` stands for the first group `href` matches in the
 * HTML of the page `on`), and the status it answers.
 */
type Route = { role: Role; path: string; status?: number; find?: { on: string; href: RegExp } };

const ROUTES: Route[] = [
  // Anyone.
  { role: "public", path: "/" },
  { role: "public", path: "/signup" },
  { role: "public", path: "/login" },
  { role: "public", path: "/login/second-factor" },
  { role: "public", path: "/systems" },
  { role: "public", path: `/systems/${SYSTEM}` },
  { role: "public", path: `/systems/${SYSTEM}/history` },
  { role: "public", path: "/register/changes" },
  { role: "public", path: "/register/reports" },
  { role: "public", path: "/map" },
  { role: "public", path: "/s/dt-cam-01" },
  { role: "public", path: "/stats" },
  { role: "public", path: "/breaches" },
  { role: "public", path: `/reports/${new Date().getUTCFullYear()}/downtown-cctv` },
  { role: "public", path: "/reviews" },
  { role: "public", path: "{}", find: { on: "/reviews", href: /href="(\/reviews\/[0-9a-f]+)"/ } },
  { role: "public", path: "{}/preview", find: { on: "/reviews", href: /href="(\/reviews\/[0-9a-f]+)"/ } },
  { role: "public", path: "/developers/api" },
  { role: "public", path: "/no-such-page", status: 404 },
  // The demo resident.
  { role: "resident", path: "/account" },
  { role: "resident", path: "/account/profile" },
  { role: "resident", path: "/account/sessions" },
  { role: "resident", path: "/my" },
  { role: "resident", path: `/my/systems/${SYSTEM}` },
  { role: "resident", path: "/my/systems/central-station-facial-recognition", status: 404 },
  { role: "resident", path: "/my/consents/history" },
  {
    role: "resident",
    path: "{}",
    find: { on: "/my/consents/history", href: /href="(\/my\/consents\/[0-9a-f]+)"/ },
  },
  { role: "resident", path: "/my/access-log" },
  { role: "resident", path: "{}", find: { on: "/my/access-log", href: /href="(\/my\/ledger\/\d+)"/ } },
  { role: "resident", path: "/my/requests" },
  { role: "resident", path: "/my/requests/new" },
  { role: "resident", path: "{}", find: { on: "/my/requests", href: /href="(\/my\/requests\/[0-9a-f]+)"/ } },
  {
    role: "resident",
    path: "{}/package",
    find: {
      on: "/my/requests",
      href: /data-status="fulfilled" data-kind="access"[\s\S]*?href="(\/my\/requests\/[0-9a-f]+)"/,
    },
  },
  { role: "resident", path: "/my/notifications" },
  // The demo privacy officer.
  { role: "officer", path: "/admin" },
  { role: "officer", path: "/admin/requests" },
  { role: "officer", path: "{}", find: { on: "/admin/requests", href: /href="(\/admin\/requests\/[0-9a-f]+)"/ } },
  { role: "officer", path: "/admin/breaches" },
  { role: "officer", path: "{}", find: { on: "/admin/breaches", href: /href="(\/admin\/breaches\/[0-9a-f]+)"/ } },
  // The demo administrator.
  { role: "admin", path: "/admin/audit" },
  { role: "admin", path: "/admin/register" },
  { role: "admin", path: "/admin/register/new" },
  { role: "admin", path: `/admin/register/systems/${SYSTEM}` },
  { role: "admin", path: "/admin/register/agencies/new" },
  { role: "admin", path: `/admin/register/agencies/${AGENCY}` },
  { role: "admin", path: "/admin/clients" },
];

/** The smallest width a page must serve. */
const WIDTH = 320;

/** Each role's session cookie, signed in once per worker: sign-in is limited per email. */
const sessions = new Map<Role, Awaited<ReturnType<BrowserContext["cookies"]>>>();

/** Signs `role` in through the sign-in server function (once per worker), into the page's context. */
async function signInAs(page: Page, role: Exclude<Role, "public">): Promise<void> {
  const cached = sessions.get(role);
  if (cached) return page.context().addCookies(cached);
  for (let attempt = 0; ; attempt++) {
    const response = await page.request.post("/fn/auth/sign_in", { form: ACCOUNTS[role], maxRedirects: 0 });
    if (response.status() === 429 && attempt < 3) {
      // Another project signed the same account in a moment ago: wait as told.
      const wait = Number(response.headers()["retry-after"] ?? "10");
      await new Promise((resolve) => setTimeout(resolve, (Math.min(wait, 30) + 1) * 1000));
      continue;
    }
    expect(response.status(), `signing in the demo ${role}: ${await response.text()}`).toBeLessThan(400);
    break;
  }
  const cookies = (await page.context().cookies()).filter((c) => c.name === "gh_session" && c.value !== "");
  expect(cookies, `a session for the demo ${role}`).toHaveLength(1);
  sessions.set(role, cookies);
}

/** The route's path, its `{}` replaced by the link found on the page that lists it. */
async function resolve(page: Page, route: Route): Promise<string> {
  if (!route.find) return route.path;
  const html = await (await page.request.get(route.find.on)).text();
  const found = html.match(route.find.href)?.[1];
  expect(found, `a link ${route.find.href} on ${route.find.on}`).toBeTruthy();
  return route.path.replace("{}", found!);
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: WIDTH, height: 720 });
});

for (const route of ROUTES) {
  test(`${route.role}: ${route.path}${route.find ? ` (from ${route.find.on})` : ""} passes axe at 320 px without scrolling sideways`, async ({
    page,
  }) => {
    const errors = watchPageErrors(page);
    if (route.role !== "public") await signInAs(page, route.role);
    const path = await resolve(page, route);
    const response = await page.goto(path, { waitUntil: "load" });
    expect(response, `no response for ${path}`).not.toBeNull();
    expect(response!.status(), `GET ${path}`).toBe(route.status ?? 200);
    if (jsEnabled()) await page.waitForLoadState("networkidle");
    await expect(h1(page)).toHaveCount(1);
    const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
    expect(width, `${path} scrolls sideways at ${WIDTH} px: scrollWidth ${width}`).toBeLessThanOrEqual(WIDTH);
    await expectNoAxeViolations(page);
    expect(errors, "page or console errors").toEqual([]);
  });
}
