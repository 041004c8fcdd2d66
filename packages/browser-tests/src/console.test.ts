import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { nextMobile } from "@polaris/api-tests/support";
import type { RunningApp } from "@polaris/local/embedded";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, screenshotsDir, startConsoleApp } from "./support/console-app";

// The web console in Debian's Chromium against the embedded profile: presigned uploads straight to
// the S3 server (CORS), multipart with an interruption and a resume after a reload, rename, share,
// the public share page in a second context, search. Screenshots go to .polaris/screenshots/.
const MiB = 1024 * 1024;

let app: RunningApp;
let browser: Browser;
let owner: BrowserContext;
let page: Page;
let files: string;
const password = "browser-secret-1";
const share = { link: "", code: "" };

const shot = (p: Page, name: string) => p.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: false });
const row = (p: Page, name: string) => p.locator(`[data-testid="file-row"][data-name="${name}"]`);
const uploadRow = (p: Page, name: string) => p.locator(`[data-testid="upload-row"][data-name="${name}"]`);

/** The console keeps its token in localStorage. */
const tokenOf = (p: Page) => p.evaluate(() => (globalThis as any).localStorage.getItem("polaris.token") as string);

/** A step that failed may leave a dialog open; the next steps start from a clean page. */
async function closeDialogs(p: Page) {
  for (let i = 0; i < 3 && (await p.locator(".backdrop").count()); i++) await p.keyboard.press("Escape");
}

/** Waits for `target`; an error toast first (e.g. a route that is not there yet) fails the step with its text. */
async function waitOrToastError(p: Page, target: import("playwright-core").Locator, timeout = 20_000) {
  const error = p.getByTestId("toast-error").first();
  const winner = await Promise.race([
    target.waitFor({ timeout }).then(() => "ok" as const),
    error.waitFor({ timeout }).then(() => "error" as const),
  ]);
  if (winner === "error") throw new Error(`the console reported: ${await error.textContent()}`);
}

async function signUp(p: Page, mobile: string) {
  await p.getByTestId("auth-toggle").click();
  await p.locator('input[name="mobile"]').fill(mobile);
  await p.locator('input[name="password"]').fill(password);
  await p.locator('input[name="name"]').fill(`user ${mobile.slice(-4)}`);
  await p.getByTestId("auth-submit").click();
}

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp({
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
    DEFAULT_QUOTA_BYTES: String(1024 * MiB),
  });
  browser = await launchChromium();
  owner = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 800 } });
  page = await owner.newPage();
  files = mkdtempSync(join(tmpdir(), "polaris-browser-files-"));
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await shot(page, `failed-${ctx.task.name.replace(/[^\w]+/g, "-").slice(0, 60)}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe("web console", () => {
  it("serves the console at / and for client-side routes", async () => {
    const index = await fetch(`${app.url}/folder/some-id`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    expect((await fetch(`${app.url}/assets/missing.js`)).status).toBe(404);
    const unknownApi = await fetch(`${app.url}/file/v1/no-such-endpoint`);
    expect(unknownApi.status).toBe(404);
    expect(((await unknownApi.json()) as { code: number }).code).toBe(100004);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("signs up and shows the empty drive with the quota bar", async () => {
    await page.goto(app.url);
    await page.getByTestId("auth-form").waitFor();
    await shot(page, "01-sign-in");
    await signUp(page, nextMobile());
    await page.getByTestId("drive").waitFor();
    await page.getByTestId("quota").waitFor();
    await page.getByTestId("empty").waitFor();
    await shot(page, "02-drive-empty");
  });

  it("shows a clear message for a business error (mobile already registered)", async () => {
    const ctx = await browser.newContext({ locale: "en-US" });
    const p = await ctx.newPage();
    const mobile = nextMobile();
    await fetch(`${app.url}/usercenter/v1/user/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mobile, password }),
    });
    await p.goto(app.url);
    await signUp(p, mobile);
    await expect.poll(() => p.getByTestId("auth-error").textContent()).toContain("already registered");
    await expect.poll(() => p.getByTestId("auth-error").textContent()).toContain("200002");
    await ctx.close();
  });

  it("creates a folder and uploads a small file (single PUT to S3)", async () => {
    await page.getByTestId("new-folder").click();
    await page.getByTestId("prompt-input").fill("项目资料");
    await page.getByTestId("prompt-ok").click();
    await row(page, "项目资料").waitFor();

    const small = join(files, "notes-2025.txt");
    writeFileSync(small, "Polaris browser test\n".repeat(500));
    await page.getByTestId("file-input").setInputFiles(small);
    await uploadRow(page, "notes-2025.txt").and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await row(page, "notes-2025.txt").waitFor();
    await shot(page, "03-uploaded-small");
  });

  it("uploads a multipart file, survives an interruption and resumes after a reload", async () => {
    const big = join(files, "大文件-video.bin");
    writeFileSync(big, randomBytes(11 * MiB)); // 3 parts of 5 MiB
    // The network drops every attempt at part 2.
    const blockPart2 = (route: import("playwright-core").Route) => route.abort("connectionreset");
    await page.route(/[?&]partNumber=2(&|$)/, blockPart2);
    const putsBefore: string[] = [];
    const onRequest = (r: Request) => r.method() === "PUT" && putsBefore.push(r.url());
    page.on("request", onRequest);

    await page.getByTestId("file-input").setInputFiles(big);
    const task = uploadRow(page, "大文件-video.bin");
    await task.getByTestId("part-progress").waitFor({ timeout: 30_000 });
    await task.and(page.locator('[data-status="error"]')).waitFor({ timeout: 30_000 });
    expect(putsBefore.some((u) => /[?&]partNumber=1(&|$)/.test(u))).toBe(true);
    await shot(page, "04-upload-interrupted");

    page.off("request", onRequest);
    await page.unroute(/[?&]partNumber=2(&|$)/, blockPart2);
    await page.reload();
    const saved = page.locator('[data-testid="saved-upload"][data-name="大文件-video.bin"]');
    await saved.waitFor();
    await shot(page, "05-upload-resumable-after-reload");

    const putsAfter: string[] = [];
    page.on("request", (r) => r.method() === "PUT" && putsAfter.push(r.url()));
    const chooser = page.waitForEvent("filechooser");
    await saved.getByTestId("saved-resume").click();
    await (await chooser).setFiles(big);
    await uploadRow(page, "大文件-video.bin").and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    // only the missing part went over the wire again
    expect(putsAfter.filter((u) => /[?&]partNumber=2(&|$)/.test(u)).length).toBeGreaterThan(0);
    expect(putsAfter.filter((u) => /[?&]partNumber=1(&|$)/.test(u))).toEqual([]);
    await row(page, "大文件-video.bin").waitFor();
    expect(await row(page, "大文件-video.bin").locator("td.num").textContent()).toContain("11");
    await shot(page, "06-drive-after-uploads");
  });

  it("cancels an upload and releases its reservation", async () => {
    const other = join(files, "cancel-me.bin");
    writeFileSync(other, randomBytes(7 * MiB));
    const block = (route: import("playwright-core").Route) => route.abort("connectionreset");
    await page.route(/[?&]partNumber=2(&|$)/, block);
    await page.getByTestId("file-input").setInputFiles(other);
    const task = uploadRow(page, "cancel-me.bin");
    await task.and(page.locator('[data-status="error"]')).waitFor({ timeout: 30_000 });
    const token = await tokenOf(page);
    const quota = async (): Promise<{ reservedSize: number }> =>
      ((await (await fetch(`${app.url}/usercenter/v1/user/quota`, { headers: { authorization: `Bearer ${token}` } })).json()) as any).data;
    expect((await quota()).reservedSize).toBe(7 * MiB);
    await task.getByTestId("upload-cancel").click();
    await task.and(page.locator('[data-status="cancelled"]')).waitFor();
    await expect.poll(async () => (await quota()).reservedSize).toBe(0);
    expect(await page.evaluate(() => JSON.parse((globalThis as any).localStorage.getItem("polaris.uploads") ?? "[]").length)).toBe(0);
    await page.unroute(/[?&]partNumber=2(&|$)/, block);
  });

  it("sorts by size and pages through a large folder", async () => {
    await page.getByTestId("sort-size").click();
    await page.getByTestId("sort-size").click(); // descending: folders first, then the biggest file
    await expect.poll(() => page.getByTestId("file-row").nth(1).getAttribute("data-name")).toBe("大文件-video.bin");
    await page.getByTestId("sort-name").click();

    const token = await tokenOf(page);
    const post = async (path: string, body: unknown): Promise<any> =>
      (
        (await (
          await fetch(app.url + path, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify(body),
          })
        ).json()) as any
      ).data;
    const big = await post("/file/v1/folder/create", { name: "many" });
    for (let i = 0; i < 130; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          post("/file/v1/folder/create", { name: `item-${String(i + k).padStart(3, "0")}`, parentId: big.identity }),
        ),
      );
    }
    await page.goto(`${app.url}/folder/${big.identity}`);
    await expect.poll(() => page.getByTestId("list-count").textContent()).toContain("100 / 130");
    await page.getByTestId("load-more").click();
    await expect.poll(() => page.getByTestId("list-count").textContent()).toContain("130 / 130");
    await row(page, "item-129").waitFor();
    await page.getByTestId("breadcrumb").locator("a").first().click();
    await row(page, "many").waitFor();
  });

  it("uploads known content instantly (proof of possession)", async () => {
    const again = join(files, "notes-copy.txt");
    writeFileSync(again, "Polaris browser test\n".repeat(500));
    await page.getByTestId("file-input").setInputFiles(again);
    await uploadRow(page, "notes-copy.txt").and(page.locator('[data-status="done"][data-instant="1"]')).waitFor({ timeout: 30_000 });
  });

  it("uploads a folder with its subfolders", async () => {
    const dir = join(files, "相册");
    mkdirSync(join(dir, "2025"), { recursive: true });
    writeFileSync(join(dir, "cover.txt"), "cover\n");
    writeFileSync(join(dir, "2025", "spring.txt"), "spring\n");
    await page.getByTestId("folder-input").setInputFiles(dir);
    await uploadRow(page, "spring.txt").and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await uploadRow(page, "cover.txt").and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await row(page, "相册").locator("a").click();
    await row(page, "2025").waitFor();
    await row(page, "cover.txt").waitFor();
    await page.getByTestId("side-tree").locator('[data-testid="tree-folder"][data-name="2025"]').waitFor();
    await page.getByTestId("breadcrumb").locator("a").first().click();
    await row(page, "相册").waitFor();
  });

  it("renames, moves into a folder and restores from the recycle bin", async () => {
    await row(page, "notes-2025.txt").getByTestId("row-menu").click();
    await page.getByTestId("menu-rename").click();
    await page.getByTestId("prompt-input").fill("年度报告2025.txt");
    await page.getByTestId("prompt-ok").click();
    await row(page, "年度报告2025.txt").waitFor();

    await row(page, "notes-copy.txt").locator('input[type="checkbox"]').check();
    await page.getByTestId("action-move").click();
    await page.getByTestId("folder-picker").locator('[data-testid="tree-folder"][data-name="项目资料"]').click();
    await shot(page, "07-move-dialog");
    await page.getByTestId("picker-ok").click();
    await row(page, "notes-copy.txt").waitFor({ state: "detached" });
    await row(page, "项目资料").locator("a").click();
    await row(page, "notes-copy.txt").waitFor();
    await expect.poll(() => page.getByTestId("breadcrumb").textContent()).toContain("项目资料");

    await row(page, "notes-copy.txt").getByTestId("row-menu").click();
    await page.getByTestId("menu-delete").click();
    await row(page, "notes-copy.txt").waitFor({ state: "detached" });
    await page.getByTestId("nav-trash").click();
    const trashed = page.locator('[data-testid="trash-row"][data-name="notes-copy.txt"]');
    await trashed.locator('input[type="checkbox"]').check();
    await shot(page, "08-recycle-bin");
    await page.getByTestId("trash-restore").click();
    await trashed.waitFor({ state: "detached" });
    await page.getByTestId("nav-drive").click();
    await row(page, "年度报告2025.txt").waitFor();
  });

  it("shares a file with an extraction code", async () => {
    await row(page, "年度报告2025.txt").getByTestId("row-menu").click();
    await page.getByTestId("menu-share").click();
    await page.getByTestId("share-create").click();
    await waitOrToastError(page, page.getByTestId("share-link"));
    share.link = await page.getByTestId("share-link").inputValue();
    share.code = await page.getByTestId("share-code").inputValue();
    expect(share.link).toMatch(/\/s\/[0-9a-f-]{36}$/);
    expect(share.code).toMatch(/^[A-Za-z0-9]{4}$/);
    await shot(page, "09-share-dialog");
    await page.keyboard.press("Escape");
  });

  it("opens the public page in a second context, enters the code and saves to a second user's drive", async () => {
    const visitor = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const p = await visitor.newPage();
    expect(share.link, "needs the share of the previous step").toMatch(/\/s\//);
    await p.goto(share.link);
    await p.getByTestId("share-code-input").fill("ZZZZ");
    await p.getByTestId("share-code-submit").click();
    await expect.poll(() => p.getByTestId("share-error").textContent()).toContain("400003");
    await p.getByTestId("share-code-input").fill(share.code);
    await p.getByTestId("share-code-submit").click();
    await expect.poll(() => p.getByTestId("share-file-name").textContent()).toBe("年度报告2025.txt");
    await shot(p, "10-public-share-page");

    await p.getByTestId("share-signin").click();
    await signUp(p, nextMobile());
    await p.getByTestId("share-save").click();
    await p.getByTestId("picker-ok").click();
    await p.getByTestId("toast-ok").waitFor();
    await p.goto(new URL("/", share.link).href);
    await row(p, "年度报告2025.txt").waitFor();
    await shot(p, "11-second-user-drive");
    await visitor.close();

    await page.getByTestId("nav-shares").click();
    const mine = page.locator('[data-testid="share-row"][data-name="年度报告2025.txt"]');
    await expect.poll(() => mine.getByTestId("share-saves").textContent()).toBe("1");
    await shot(page, "12-my-shares");
  });

  it("searches by part of a Chinese name and highlights the match", async () => {
    await closeDialogs(page);
    await page.getByTestId("nav-drive").click();
    await page.getByTestId("search-input").fill("报告");
    await page.getByTestId("search-input").press("Enter");
    const hit = page.locator('[data-testid="search-row"][data-name="年度报告2025.txt"]');
    await waitOrToastError(page, hit);
    expect(await hit.locator("mark").first().textContent()).toBe("报告");
    await shot(page, "13-search");
  });

  it("switches the interface to English", async () => {
    await closeDialogs(page);
    await page.getByTestId("lang-switch").click();
    await page.getByTestId("nav-drive").click();
    await expect.poll(() => page.getByTestId("nav-drive").textContent()).toBe("My files");
    await shot(page, "14-drive-english");
  });
});
