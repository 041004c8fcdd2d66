import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bytes, type TestApp, uploadFile } from "@polaris/api-tests/support";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, screenshotsDir, startConsoleApp } from "./support/console-app";

// The administrator's page in Chromium: the users table (disable a user), every share (ban one),
// the figures and the audit log; a non-administrator sees no admin page. Screenshot: admin-*.png.
let app: TestApp;
let browser: Browser;
let page: Page;
let admin: { token: string; mobile: string };
let user: { token: string; mobile: string };
let share: string;

const signInAs = async (p: Page, token: string) => {
  await p.goto(app.url);
  await p.evaluate((t) => (globalThis as any).localStorage.setItem("polaris.token", t), token);
  // The console reads its token as it loads.
  await p.reload();
};

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp();
  admin = await app.signUp();
  user = await app.signUp();
  const file = await uploadFile(app, user.token, bytes(3000, 77), { name: "holiday.bin" });
  share = (
    await app.call("POST", "/share/v1/share/create", { token: user.token, body: { fileIdentity: file, expiredType: 0, hasCode: false } })
  ).body.data.identity;
  browser = await launchChromium();
  page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } })).newPage();
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail") await page?.screenshot({ path: join(screenshotsDir, "failed-admin.png") }).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("admin console", () => {
  it("disables a user, bans a share, shows the figures and the audit log", async () => {
    await signInAs(page, admin.token);
    await page.getByTestId("nav-admin").click();
    const row = page.locator(`[data-testid="admin-user-row"][data-mobile="${user.mobile}"]`);
    await expect.poll(() => row.count()).toBe(1);
    await row.getByTestId("admin-disable").click();
    await expect.poll(() => row.textContent()).toContain("Disabled");
    expect((await app.call("GET", "/usercenter/v1/user/info", { token: user.token })).body.code).toBe(200005);

    await page.getByTestId("admin-tab-shares").click();
    await page.getByTestId("admin-ban").click();
    await expect.poll(() => page.getByTestId("admin-share-status").textContent()).toBe("Banned");
    expect((await app.call("POST", "/share/v1/share/validate", { body: { identity: share } })).body.code).toBe(400005);

    await page.getByTestId("admin-tab-stats").click();
    await expect.poll(() => page.getByTestId("stat-users").textContent()).toContain("2");
    expect(await page.getByTestId("stat-files").textContent()).toContain("1");
    await page.screenshot({ path: join(screenshotsDir, "admin-stats.png") });

    await page.getByTestId("admin-tab-audit").click();
    await expect.poll(() => page.getByTestId("admin-audit-row").count()).toBe(2);
    expect(await page.getByTestId("admin-audit").textContent()).toContain("share.ban");
    await page.screenshot({ path: join(screenshotsDir, "admin-audit.png") });
  });

  it("shows no admin page to a user who is not an administrator", async () => {
    const other = await app.signUp();
    await signInAs(page, other.token);
    await page.goto(`${app.url}/manage`);
    await page.getByTestId("nav-account").waitFor();
    expect(await page.getByTestId("nav-admin").count()).toBe(0);
    expect(await page.getByTestId("admin").count()).toBe(0);
  });
});
