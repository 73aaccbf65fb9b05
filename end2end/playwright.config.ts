import { defineConfig } from "@playwright/test";

const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";

// Specs that need the WebAssembly app to hydrate only make sense with
// JavaScript enabled; the no-JavaScript projects leave them out.
const needsJavaScript = /.*\.hydrate\.spec\.ts/;
// every-page.spec.ts checks each page at 320 px, a viewport it sets itself: in the desktop
// projects it would only repeat the phone projects' run (about 480 s of a CI run's test time)
// without the phone's mobile emulation. It runs in phone-js and phone-nojs.
const phoneOnly = /every-page\.spec\.ts/;

const desktop = { viewport: { width: 1280, height: 800 } };
const phone = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 2,
  // A journey with several axe scans takes 20–31 s with two workers on two cores (CI's
  // machine); the 30 s default failed one that had passed every assertion. A hang still
  // fails, at 60 s.
  timeout: 60_000,
  // One retry in CI only: a test that fails twice fails the run; one that passes on its
  // retry is reported as flaky in the summary (and the server log is printed) so it gets
  // chased rather than hidden. Locally, no retries.
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: "test-results/results.json" }]],
  use: {
    baseURL,
    browserName: "chromium",
    // Debian's Chromium: never download browsers on this machine.
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "desktop-js",
      testIgnore: phoneOnly,
      use: { ...desktop, javaScriptEnabled: true },
    },
    {
      name: "desktop-nojs",
      testIgnore: [needsJavaScript, phoneOnly],
      use: { ...desktop, javaScriptEnabled: false },
    },
    {
      name: "phone-js",
      use: { ...phone, javaScriptEnabled: true },
    },
    {
      name: "phone-nojs",
      testIgnore: needsJavaScript,
      use: { ...phone, javaScriptEnabled: false },
    },
  ],
});
