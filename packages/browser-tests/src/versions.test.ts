import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { uploadFile, type TestApp } from "@polaris/api-tests/support";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, screenshotsDir, startConsoleApp } from "./support/console-app";

// The version list of the web console: opened from a file's "…" menu, a previous version restored
// (a new current version) and one deleted, each checked against the API. Screenshot: versions.png.

let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } })).newPage();
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page.screenshot({ path: join(screenshotsDir, "versions-failed.png") }).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("version list", () => {
  it("lists a file's versions, restores a previous one as the new current version and deletes another", async () => {
    const { token } = await app.signUp();
    const file = await uploadFile(app, token, Buffer.from("draft one"), { name: "report.txt" });
    await uploadFile(app, token, Buffer.from("draft two, longer"), { name: "report.txt", onConflict: "version" });
    await uploadFile(app, token, Buffer.from("draft three"), { name: "report.txt", onConflict: "version" });
    const versions = async () =>
      (await app.call("GET", "/file/v1/file/versions", { token, query: { identity: file } })).body.data.list as {
        size: number;
        current: boolean;
      }[];

    await page.addInitScript((t) => (globalThis as any).localStorage.setItem("polaris.token", t), token);
    await page.goto(app.url);
    const row = page.locator('[data-testid="file-row"][data-name="report.txt"]');
    await row.getByTestId("row-menu").click();
    await page.getByTestId("menu-versions").click();
    const dialog = page.getByTestId("versions-dialog");
    const rows = dialog.getByTestId("version-row");
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().getAttribute("data-current")).toBe("true");
    expect(await dialog.textContent()).toContain("Current");
    await page.screenshot({ path: join(screenshotsDir, "versions.png") });

    // Restore the oldest ("draft one"): a fourth version, current, of its size.
    await rows.nth(2).getByTestId("version-restore").click();
    await expect.poll(() => rows.count()).toBe(4);
    expect((await versions()).map((v) => [v.size, v.current])).toEqual([
      [9, true],
      [11, false],
      [17, false],
      [9, false],
    ]);
    // Delete the second-newest previous one ("draft two").
    await rows.nth(2).getByTestId("version-delete").click();
    await expect.poll(() => rows.count()).toBe(3);
    expect((await versions()).map((v) => v.size)).toEqual([9, 11, 9]);
    await page.screenshot({ path: join(screenshotsDir, "versions-after.png") });
  }, 90_000);
});
