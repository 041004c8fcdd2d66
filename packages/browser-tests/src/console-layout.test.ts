import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, uploadFile, type TestApp } from "@polaris/api-tests/support";
import { repoRoot } from "@polaris/local/gateway";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, startConsoleApp } from "./support/console-app";

// Issue 18, points 3 and 4: the console on a phone (390×844, dark) and its rough edges on a desktop
// (selection, menus, keys, drag-to-move, Undo, select all N, name clashes, natural order, quota before
// hashing, human messages, locale dates). The drive is seeded through the API; the browser does the rest.
const results = resolve(repoRoot, ".polaris/test-results");
const MiB = 1024 * 1024;

let app: TestApp;
let browser: Browser;
let files: string;
const contexts: BrowserContext[] = [];
let current: Page | undefined;

const shot = (p: Page, name: string) => p.screenshot({ path: join(results, `console-${name}.png`) });
const row = (p: Page, name: string) => p.locator(`[data-testid="file-row"][data-name="${name}"]`);

/** A signed-in page: the console keeps its token in localStorage. */
async function open(token: string, options: Parameters<Browser["newContext"]>[0]) {
  const ctx = await browser.newContext(options);
  contexts.push(ctx);
  await ctx.addInitScript((t) => (globalThis as any).localStorage.setItem("polaris.token", t), token);
  const page = await ctx.newPage();
  current = page;
  return page;
}

/** Elements that stick out of the viewport on the right (the closed drawer sits left of it), or make the page scroll sideways. */
const overflow = (p: Page) =>
  p.evaluate(() => {
    const doc = (globalThis as any).document;
    const width: number = doc.documentElement.clientWidth;
    const wide = ([...doc.querySelectorAll("body *")] as any[])
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.right > width + 0.5 || r.width > width + 0.5);
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className}[${el.getAttribute("data-testid") ?? ""}] ${Math.round(el.getBoundingClientRect().right)}`,
      );
    return { scroll: doc.documentElement.scrollWidth - width, wide: wide.slice(0, 5) };
  });

/** Visible controls smaller than a fingertip (44 px high). */
const smallTargets = (p: Page) =>
  p.evaluate(() =>
    (
      [
        ...(globalThis as any).document.querySelectorAll(
          "button, select, input:not([type=checkbox]):not([type=file]), .sidebar a, .breadcrumb a",
        ),
      ] as any[]
    )
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > 0 && r.height < 43.5;
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}[${el.getAttribute("data-testid") ?? el.textContent?.slice(0, 20)}] ${Math.round(el.getBoundingClientRect().height)}`,
      ),
  );

async function fitsPhone(p: Page, name: string) {
  await shot(p, `phone-${name}`);
  expect(await overflow(p), name).toEqual({ scroll: 0, wide: [] });
  expect(await smallTargets(p), name).toEqual([]);
}

const boxesOverlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  await buildConsoleIfNeeded();
  app = await startConsoleApp({ DEFAULT_QUOTA_BYTES: String(4 * MiB) });
  browser = await launchChromium();
  files = mkdtempSync(join(tmpdir(), "polaris-console-layout-"));
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && current)
    await shot(current, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => undefined);
});

afterAll(async () => {
  for (const ctx of contexts) await ctx.close().catch(() => undefined);
  await browser?.close();
  await app?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe("the console on a phone", () => {
  it("fits 390×844 in dark mode on every page, with a drawer, row menus and the upload panel in view", async () => {
    const { token } = await app.signUp();
    const long = "一个名字非常非常长的文件夹-with-a-very-long-name-that-would-not-fit-on-a-phone-screen";
    const folder = await createFolder(app, token, long);
    await createFolder(app, token, "报告 2025", folder);
    const file = await uploadFile(app, token, bytes(1000, 3), { name: "quarterly-report-final-version-reviewed-approved.pdf" });
    const gone = await createFolder(app, token, "old-stuff");
    await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [gone] } });
    const share = await app.call("POST", "/share/v1/share/create", { token, body: { fileIdentity: file, expiredType: 7, hasCode: false } });
    expect(share.status).toBe(200);

    const p = await open(token, {
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
      colorScheme: "dark",
      locale: "zh-CN",
    });
    await p.goto(app.url);
    await row(p, long).waitFor();
    // Dark mode comes from prefers-color-scheme.
    expect(await p.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.documentElement).backgroundColor)).toBe(
      "rgb(15, 19, 26)",
    );
    // The navigation is a drawer: off screen until ☰.
    expect((await p.getByTestId("sidebar").boundingBox())!.x).toBeLessThan(0);
    await fitsPhone(p, "drive");

    // A "…" per row instead of hover actions, its menu inside the screen.
    await row(p, long).getByTestId("row-menu").tap();
    const menu = p.getByTestId("menu");
    await menu.getByTestId("menu-rename").waitFor();
    const box = (await menu.boundingBox())!;
    expect(box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await fitsPhone(p, "row-menu");
    await p.keyboard.press("Escape");

    // The upload panel stays in view.
    const local = join(files, "phone.txt");
    writeFileSync(local, "from a phone");
    await p.getByTestId("file-input").setInputFiles(local);
    await p.locator('[data-testid="upload-row"][data-name="phone.txt"][data-status="done"]').waitFor();
    const panel = (await p.getByTestId("upload-panel").boundingBox())!;
    expect(panel.x >= 0 && panel.x + panel.width <= 390 && panel.y + panel.height <= 844).toBe(true);
    await fitsPhone(p, "upload-panel");

    await row(p, long).locator("a").tap();
    await row(p, "报告 2025").waitFor();
    await fitsPhone(p, "folder");

    for (const [nav, testId, name] of [
      ["nav-trash", "trash", "trash"],
      ["nav-shares", "my-shares", "shares"],
    ]) {
      await p.getByTestId("nav-toggle").tap();
      await p.getByTestId(nav).tap();
      await p.getByTestId(testId).waitFor();
      await p.locator(".nav-open").waitFor({ state: "detached" });
      await fitsPhone(p, name);
    }
    await p.getByTestId("search-input").fill("report");
    await p.getByTestId("search-input").press("Enter");
    await p.getByTestId("search-row").first().waitFor();
    await fitsPhone(p, "search");

    await p.goto(`${app.url}/s/${share.body.data.identity}`);
    await p.getByTestId("share-file-name").waitFor();
    await fitsPhone(p, "share-page");
  });
});

describe("the console's rough edges", () => {
  it("selects, menus, keys, drags, undoes, selects all N, asks about name clashes, sorts naturally", async () => {
    const { token } = await app.signUp();
    const edge = await createFolder(app, token, "edge");
    const box = await createFolder(app, token, "box", edge);
    await uploadFile(app, token, bytes(10, 1), { name: "dup.txt", parentId: edge });
    await uploadFile(app, token, bytes(11, 2), { name: "dup.txt", parentId: box });
    // 101 items: more than a page (100), in natural order item1, item2, … item10.
    await Promise.all(Array.from({ length: 99 }, (_, i) => createFolder(app, token, `item${i + 1}`, edge)));

    const p = await open(token, { viewport: { width: 1280, height: 800 }, locale: "en-US" });
    await p.goto(app.url);
    await row(p, "edge").locator("a").click();
    await row(p, "item1").waitFor();
    const names = await p.getByTestId("file-row").evaluateAll((rows) => rows.slice(0, 13).map((r) => r.getAttribute("data-name")));
    expect(names).toEqual(["box", ...Array.from({ length: 12 }, (_, i) => `item${i + 1}`)]);
    // English dates in the browser's English.
    const shown = await row(p, "item1").locator("td").nth(3).textContent();
    const expected = await p.evaluate(() => new Date().toLocaleString("en-US", { dateStyle: "short" }));
    expect(shown).toContain(expected);

    // Click selects, Shift-click a range, Ctrl+A the page, then all 105 of the folder.
    const count = p.getByTestId("selection-count");
    await row(p, "item2").locator("td.num").click();
    await expect.poll(() => count.textContent()).toBe("1 selected");
    await row(p, "item5")
      .locator("td.num")
      .click({ modifiers: ["Shift"] });
    await expect.poll(() => count.textContent()).toBe("4 selected");
    await p.keyboard.press("Control+a");
    await expect.poll(() => count.textContent()).toBe("100 selected");
    await p.getByTestId("select-everything").click();
    await expect.poll(() => count.textContent()).toBe("101 selected");
    await p.keyboard.press("Escape");
    await p.getByTestId("selection-bar").waitFor({ state: "detached" });

    // F2 renames; Enter opens; `/` goes to the search box.
    await row(p, "item3").locator("td.num").click();
    await p.keyboard.press("F2");
    await p.getByTestId("prompt-input").fill("renamed3");
    await p.getByTestId("prompt-ok").click();
    await row(p, "renamed3").waitFor();
    await p.keyboard.press("/");
    expect(await p.evaluate(() => (globalThis as any).document.activeElement?.getAttribute("data-testid"))).toBe("search-input");

    // Delete, with Undo on a toast that leaves the toolbar uncovered.
    await row(p, "item4").locator("td.num").click();
    await p.keyboard.press("Delete");
    await row(p, "item4").waitFor({ state: "detached" });
    const toast = p.getByTestId("toast-ok").filter({ has: p.getByTestId("toast-action") });
    expect(boxesOverlap((await toast.boundingBox())!, (await p.getByTestId("toolbar").boundingBox())!)).toBe(false);
    await shot(p, "desktop-undo-toast");
    await toast.getByTestId("toast-action").click();
    await row(p, "item4").waitFor();

    // Right-click opens the same menu at the pointer.
    await row(p, "item6").click({ button: "right" });
    await p.getByTestId("menu").getByTestId("menu-move").waitFor();
    await shot(p, "desktop-context-menu");
    await p.keyboard.press("Escape");
    await p.getByTestId("menu").waitFor({ state: "detached" });

    // Drag onto a folder row, and onto the breadcrumb, moves.
    await row(p, "item7").dragTo(row(p, "box"));
    await row(p, "item7").waitFor({ state: "detached" });
    await row(p, "item8").dragTo(p.locator('[data-testid="crumb"][data-name="All files"]'));
    await row(p, "item8").waitFor({ state: "detached" });

    // The recycle bin says where things came from.
    await row(p, "item9").locator("td.num").click();
    await p.keyboard.press("Delete");
    await row(p, "item9").waitFor({ state: "detached" });
    await p.getByTestId("nav-trash").click();
    const trashed = p.locator('[data-testid="trash-row"][data-name="item9"]');
    expect(await trashed.getByTestId("trash-origin").textContent()).toBe("/edge");
    await shot(p, "desktop-trash");
    await p.getByTestId("nav-drive").click();
    await row(p, "edge").locator("a").click();
    await row(p, "box").locator("a").click();
    await row(p, "dup.txt").waitFor();

    // Copy into a folder holding that name (from box into edge): keep both / replace / skip.
    await row(p, "dup.txt").getByTestId("row-menu").click();
    await p.getByTestId("menu-copy").click();
    await p.getByTestId("folder-picker").locator('[data-testid="tree-folder"][data-name="edge"]').click();
    await p.getByTestId("picker-ok").click();
    await p.getByTestId("clash-dialog").waitFor();
    await shot(p, "desktop-clash");
    await p.getByTestId("clash-keep").click();
    await p.getByTestId("folder-picker").waitFor({ state: "detached" });
    expect(
      (await app.call("GET", "/file/v1/file/list", { token, query: { parentId: edge, pageSize: 1000 } })).body.data.list.map(
        (f: { name: string }) => f.name,
      ),
    ).toEqual(expect.arrayContaining(["dup.txt", "dup (1).txt"]));

    // An upload onto a taken name asks too; the panel's header counts done/total.
    const local = join(files, "dup.txt");
    writeFileSync(local, "another dup");
    await p.getByTestId("file-input").setInputFiles(local);
    const upload = p.locator('[data-testid="upload-row"][data-name="dup.txt"]');
    await p.locator('[data-testid="upload-row"][data-status="conflict"]').waitFor();
    await upload.getByTestId("upload-keep").click();
    await p.locator('[data-testid="upload-row"][data-status="done"]').waitFor();
    expect(await p.getByTestId("uploads-count").textContent()).toBe("1/1 done");
    await row(p, "dup (1).txt").waitFor();

    // Over the quota: refused before hashing (nothing reaches upload/instant).
    const instant: string[] = [];
    p.on("request", (r) => r.url().includes("/upload/instant") && instant.push(r.url()));
    const big = join(files, "big.bin");
    writeFileSync(big, Buffer.alloc(5 * MiB, 1));
    await p.getByTestId("file-input").setInputFiles(big);
    const refused = p.locator('[data-testid="upload-row"][data-name="big.bin"]');
    await refused.locator('[data-testid="upload-error"]').waitFor();
    expect(await refused.getByTestId("upload-error").textContent()).toContain("200004");
    expect(instant).toEqual([]);

    // An unknown share link reads as one.
    await p.goto(`${app.url}/s/not-a-share`);
    const error = await p.getByTestId("share-error").textContent();
    expect(error).toContain("Share not found");
    expect(error).not.toContain("UUID");
  }, 90_000);
});
