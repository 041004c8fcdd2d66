import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Browser, Download, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFolder, uploadFile, type TestApp } from "@polaris/api-tests/support";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, screenshotsDir, startConsoleApp } from "./support/console-app";

// Zip downloads and limited shares in the console: a folder downloaded as one zip from the drive's
// menu, a share made with limits in the share dialog, its public page before and after the code
// (sharer and expiry first, never the names), "download all" as a zip, its limits changed afterwards
// from "My shares" and enforced, and a preview-only share.
// Screenshots: zip-share-before-code.png, zip-share-page.png, zip-share-edit-limits.png, zip-share-preview-only.png.

let app: TestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await page.screenshot({ path: join(screenshotsDir, "zip-failed.png") }).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The names inside a downloaded zip, as Python's zipfile reads them (it checks every CRC). */
async function zipNames(download: Download) {
  const file = await download.path();
  const script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint('\\n'.join(z.namelist()))";
  return execFileSync("python3", ["-c", script, file], { encoding: "utf8" }).trim().split("\n");
}

describe("zip downloads and limited shares", () => {
  it("downloads a folder as a zip, creates a limited share, shows its public page before and after the code, and changes its limits afterwards", async () => {
    const { token } = await app.signUp();
    const album = await createFolder(app, token, "相册");
    await uploadFile(app, token, Buffer.from("first photo"), { name: "一.txt", parentId: album });
    await uploadFile(app, token, Buffer.from("second photo"), { name: "two.txt", parentId: album });

    await page.addInitScript((t) => (globalThis as any).localStorage.setItem("polaris.token", t), token);
    await page.goto(app.url);
    const row = page.locator('[data-testid="file-row"][data-name="相册"]');
    await row.getByTestId("row-menu").click();
    const downloaded = page.waitForEvent("download");
    await page.getByTestId("menu-zip").click();
    const zip = await downloaded;
    expect(zip.suggestedFilename()).toBe("相册.zip");
    expect(await zipNames(zip)).toEqual(["相册/", "相册/two.txt", "相册/一.txt"]);

    // The share dialog takes the limits.
    await row.getByTestId("row-menu").click();
    await page.getByTestId("menu-share").click();
    await page.getByTestId("share-download-limit").fill("5");
    await page.getByTestId("share-view-limit").fill("9");
    await page.getByTestId("share-create").click();
    const link = await page.getByTestId("share-link").inputValue();
    const code = await page.getByTestId("share-code").inputValue();
    const [created] = (await app.call("GET", "/share/v1/share/list", { token })).body.data.list;
    expect(created).toMatchObject({ downloadLimit: 5, viewLimit: 9, previewOnly: false, fileName: "相册" });
    await page.keyboard.press("Escape");

    // A visitor: who shares and until when, before the code; no file names.
    const visitor = await (
      await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    ).newPage();
    await visitor.goto(link);
    await expect.poll(() => visitor.getByTestId("share-owner").textContent()).toMatch(/Shared by \d{3}\*{4}\d{4}/);
    expect(await visitor.getByTestId("share-expiry").textContent()).toContain("Expires");
    await visitor.getByTestId("share-code-input").waitFor();
    expect(await visitor.locator("main").textContent()).not.toContain("相册");
    await visitor.screenshot({ path: join(screenshotsDir, "zip-share-before-code.png") });

    await visitor.getByTestId("share-code-input").fill(code);
    await visitor.getByTestId("share-code-submit").click();
    await expect.poll(() => visitor.getByTestId("share-child").count()).toBe(2);
    expect(await visitor.getByTestId("share-child-download").count()).toBe(2);
    const all = visitor.waitForEvent("download");
    await visitor.getByTestId("share-zip").click();
    const shared = await all;
    expect(shared.suggestedFilename()).toBe("相册.zip");
    expect(await zipNames(shared)).toEqual(["相册/", "相册/two.txt", "相册/一.txt"]);
    await visitor.screenshot({ path: join(screenshotsDir, "zip-share-page.png") });
    expect((await app.call("GET", "/share/v1/share/list", { token })).body.data.list[0]).toMatchObject({ downloadNum: 1, clickNum: 1 });
    // The owner's list counts them against the limits.
    await page.getByTestId("nav-shares").click();
    const mine = page.locator('[data-testid="share-row"][data-name="相册"]');
    await expect.poll(() => mine.getByTestId("share-downloads").textContent()).toContain("1/5 downloads");
    expect(await mine.getByTestId("share-views").textContent()).toBe("1 / 9");

    // Limits changed afterwards from "My shares": the download limit lowered to the one download so far
    // closes downloads at once, the view limit removed.
    await mine.getByTestId("share-menu").click();
    await page.getByTestId("menu-share-edit-limits").click();
    const dialog = page.getByTestId("share-limits-dialog");
    expect(await dialog.getByTestId("share-used").textContent()).toContain("Downloads so far: 1, views: 1");
    expect(await dialog.getByTestId("share-download-limit").inputValue()).toBe("5");
    await dialog.getByTestId("share-download-limit").fill("1");
    await dialog.getByTestId("share-view-limit").fill("");
    await page.screenshot({ path: join(screenshotsDir, "zip-share-edit-limits.png") });
    await dialog.getByTestId("share-limits-save").click();
    await expect.poll(() => mine.getByTestId("share-downloads").textContent()).toContain("1/1 downloads");
    expect(await mine.getByTestId("share-views").textContent()).toBe("1");
    expect((await app.call("GET", "/share/v1/share/list", { token })).body.data.list[0]).toMatchObject({
      downloadLimit: 1,
      viewLimit: null,
      expiredTime: created.expiredTime,
    });
    await visitor.getByTestId("share-child-download").first().click();
    await expect.poll(() => visitor.getByTestId("toast-error").textContent()).toContain("This share's downloads are used up.");

    // Preview only: the files show, no download of any kind.
    const previewOnly = await app.call("POST", "/share/v1/share/create", {
      token,
      body: { fileIdentity: album, expiredType: 7, hasCode: false, previewOnly: true },
    });
    await visitor.goto(previewOnly.body.data.url);
    await expect.poll(() => visitor.getByTestId("share-child").count()).toBe(2);
    await visitor.getByTestId("share-preview-only-note").waitFor();
    expect(await visitor.getByTestId("share-child-download").count()).toBe(0);
    expect(await visitor.getByTestId("share-zip").count()).toBe(0);
    await visitor.screenshot({ path: join(screenshotsDir, "zip-share-preview-only.png") });
  });
});
