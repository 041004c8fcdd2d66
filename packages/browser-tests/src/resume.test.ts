import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Page, Request, Route } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshDatabaseEnv, nextMobile } from "@polaris/api-tests/support";
import { startEmbedded, type RunningApp } from "@polaris/local/embedded";
import { buildConsoleIfNeeded, consoleFallback } from "@polaris/local/web";
import { launchChromium, screenshotsDir, startConsoleApp } from "./support/console-app";

// Resume that resumes, in Chromium against the embedded profile (and parity, in its own pass): the page's upload bandwidth is
// throttled through CDP so a part is still in flight when the test pauses, goes offline, closes
// the page or cancels; what ends up in the drive is downloaded through the console and compared
// byte for byte. Waits poll the API or the page (no sleeps). Screenshots go to .polaris/screenshots/.
const MiB = 1024 * 1024;
const SIZE = 12 * MiB; // parts of 5, 5 and 2 MiB, sent three at a time: the 2 MiB one lands first
const PARTS = 3;

let app: RunningApp;
/** Where the API helpers below go: the shared app, or the one a test restarts. */
let apiUrl = "";
let browser: Browser;
let files: string;
let context: BrowserContext;
let page: Page;
let token: string;

const shot = (p: Page, name: string) => p.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: false });
const uploadRow = (p: Page, name: string) => p.locator(`[data-testid="upload-row"][data-name="${name}"]`);
const fileRow = (p: Page, name: string) => p.locator(`[data-testid="file-row"][data-name="${name}"]`);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function api<T = any>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return ((await res.json()) as { data: T }).data;
}
const quota = () => api<{ usedSize: number; reservedSize: number }>("GET", "/usercenter/v1/user/quota");

/** The console's saved session for a file name (localStorage), once it has presigned. */
const sessionOf = (p: Page, name: string) =>
  p.evaluate(
    (n) =>
      (JSON.parse((globalThis as any).localStorage.getItem("polaris.uploads") ?? "[]") as { uploadKey: string; name: string }[]).find(
        (s) => s.name === n,
      )?.uploadKey ?? "",
    name,
  );

/** Part numbers storage holds whole, by the API. */
const storedParts = async (uploadKey: string) =>
  (await api<{ uploaded: { partNumber: number }[] }>("POST", "/file/v1/upload/parts", { uploadKey })).uploaded.map((p) => p.partNumber);

/** Caps the page's upload bandwidth (CDP network emulation), or takes it offline. */
async function network(cdp: CDPSession, conditions: { uploadBytesPerSecond?: number; offline?: boolean }) {
  await cdp.send("Network.emulateNetworkConditions", {
    offline: conditions.offline ?? false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: conditions.uploadBytesPerSecond ?? -1,
  });
}
async function throttled(p: Page, uploadBytesPerSecond: number) {
  const cdp = await p.context().newCDPSession(p);
  await cdp.send("Network.enable");
  await network(cdp, { uploadBytesPerSecond });
  return cdp;
}

/** Part numbers of the storage PUTs the page sends from now on. */
function recordPuts(p: Page) {
  const parts: number[] = [];
  const onRequest = (r: Request) => {
    const n = r.method() === "PUT" ? /[?&]partNumber=(\d+)/.exec(r.url())?.[1] : undefined;
    if (n) parts.push(Number(n));
  };
  p.on("request", onRequest);
  return { parts, stop: () => p.off("request", onRequest) };
}

function newFile(name: string, size = SIZE) {
  const content = randomBytes(size);
  const path = join(files, name);
  writeFileSync(path, content);
  return { content, path };
}

/** Starts uploading through the toolbar's file input, and waits until storage holds a whole part (a bigger one is still in flight). */
async function startUpload(p: Page, name: string, path: string) {
  await p.getByTestId("file-input").setInputFiles(path);
  let uploadKey = "";
  let stored: number[] = [];
  await expect
    .poll(
      async () => {
        uploadKey ||= await sessionOf(p, name);
        stored = uploadKey ? await storedParts(uploadKey) : [];
        return stored.length;
      },
      { timeout: 60_000, interval: 100 },
    )
    .toBeGreaterThan(0);
  return { uploadKey, stored };
}

async function waitStatus(p: Page, name: string, status: string, timeout = 60_000) {
  await uploadRow(p, name)
    .and(p.locator(`[data-status="${status}"]`))
    .waitFor({ timeout });
}

/** Downloads the file through the console (its name in the drive) and compares the bytes. */
async function expectDownloaded(p: Page, name: string, content: Buffer) {
  await fileRow(p, name).waitFor();
  const download = p.waitForEvent("download");
  await fileRow(p, name).locator("td.name a").click();
  const path = await (await download).path();
  expect(sha256(readFileSync(path!))).toBe(sha256(content));
}

async function openConsole(ctx: BrowserContext, url = apiUrl) {
  const p = await ctx.newPage();
  await p.goto(url);
  await p.getByTestId("drive").waitFor();
  return p;
}

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp({
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
    DEFAULT_QUOTA_BYTES: String(1024 * MiB),
  });
  browser = await launchChromium();
  files = mkdtempSync(join(tmpdir(), "polaris-resume-files-"));
}, 300_000);

/** A new user, signed in in a new browser context, with the console open. */
async function signedIn(url: string) {
  apiUrl = url;
  const res = await fetch(`${url}/usercenter/v1/user/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mobile: nextMobile(), password: "resume-secret-1" }),
  });
  token = ((await res.json()) as { data: { accessToken: string } }).data.accessToken;
  context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.addInitScript((t) => (globalThis as any).localStorage.setItem("polaris.token", t), token);
  page = await openConsole(context, url);
}

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page && !page.isClosed())
    await shot(page, `failed-resume-${ctx.task.name.replace(/[^\w]+/g, "-").slice(0, 50)}`).catch(() => undefined);
  await context?.close();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

// Bounded by their waits (a busy machine uploads slower), not by vitest's default 30 s.
describe("console uploads resume after any interruption (Chromium, throttled)", { timeout: 180_000 }, () => {
  beforeEach(() => signedIn(app.url));

  it("Pause mid-part, then Resume: the parts stored before the pause are not sent again, and the bytes match", async () => {
    const { content, path } = newFile("paused.bin");
    const cdp = await throttled(page, 1 * MiB);
    const { uploadKey } = await startUpload(page, "paused.bin", path);
    await uploadRow(page, "paused.bin").getByTestId("upload-pause").click();
    await waitStatus(page, "paused.bin", "paused");
    await shot(page, "resume-01-paused");
    const stored = await storedParts(uploadKey);
    expect(stored.length).toBeLessThan(PARTS);

    const puts = recordPuts(page);
    await network(cdp, {});
    await uploadRow(page, "paused.bin").getByTestId("upload-resume").click();
    await waitStatus(page, "paused.bin", "done");
    puts.stop();
    expect(puts.parts.filter((n) => stored.includes(n))).toEqual([]);
    expect(puts.parts.length).toBeGreaterThan(0);
    expect(await quota()).toMatchObject({ usedSize: SIZE, reservedSize: 0 });
    await expectDownloaded(page, "paused.bin", content);
  });

  it("network drops mid-part: the upload waits for the network, then goes on by itself", async () => {
    const { content, path } = newFile("offline.bin");
    const cdp = await throttled(page, 1 * MiB);
    // Parts 1 and 2 are held in flight (Chromium's offline emulation lets a throttled body finish
    // instead of failing it): when the network goes, they fail as a dropped connection does.
    const held: Route[] = [];
    const hold = (route: Route) => void held.push(route);
    await page.route(/[?&]partNumber=[12](&|$)/, hold);
    const { uploadKey } = await startUpload(page, "offline.bin", path);
    await expect.poll(() => held.length).toBe(2);
    await network(cdp, { offline: true });
    for (const route of held) await route.abort("internetdisconnected");
    await page.unroute(/[?&]partNumber=[12](&|$)/, hold);
    await uploadRow(page, "offline.bin").and(page.locator('[data-waiting="offline"]')).waitFor({ timeout: 30_000 });
    expect(await uploadRow(page, "offline.bin").getByTestId("upload-status").textContent()).toContain("Waiting for the network");
    await shot(page, "resume-02-offline");
    const stored = await storedParts(uploadKey);
    expect(stored).toEqual([3]);

    const puts = recordPuts(page);
    await network(cdp, {});
    await waitStatus(page, "offline.bin", "done");
    puts.stop();
    expect([...new Set(puts.parts)].sort()).toEqual([1, 2]);
    await expectDownloaded(page, "offline.bin", content);
  });

  it("the page reloads mid-part: the same file chosen again continues the stored session", async () => {
    const { content, path } = newFile("reloaded.bin");
    const cdp = await throttled(page, 1 * MiB);
    const { uploadKey } = await startUpload(page, "reloaded.bin", path);
    expect((await quota()).reservedSize).toBe(SIZE);
    // The reload cuts the parts in flight mid-body (the throttle stays on for the page).
    await page.reload();
    await network(cdp, {});
    const saved = page.locator('[data-testid="saved-upload"][data-name="reloaded.bin"]');
    await saved.waitFor();
    await shot(page, "resume-03-reloaded");
    // What storage held when the page went (a part cut off mid-body is not counted).
    const before = await storedParts(uploadKey);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(PARTS);

    const puts = recordPuts(page);
    const chooser = page.waitForEvent("filechooser");
    await saved.getByTestId("saved-resume").click();
    await (await chooser).setFiles(path);
    await waitStatus(page, "reloaded.bin", "done");
    puts.stop();
    expect([...new Set(puts.parts)].sort()).toEqual([1, 2, 3].filter((n) => !before.includes(n)));
    // One session from start to end: no second reservation, nothing left reserved.
    expect(await quota()).toMatchObject({ usedSize: SIZE, reservedSize: 0 });
    await expectDownloaded(page, "reloaded.bin", content);
    await shot(page, "resume-04-done-after-reload");
  });

  it("Cancel releases the reservation at once, in the quota bar too", async () => {
    const { path } = newFile("cancelled.bin");
    await throttled(page, 1 * MiB);
    await startUpload(page, "cancelled.bin", path);
    const bar = page.getByTestId("quota");
    await expect.poll(() => bar.getAttribute("data-reserved")).toBe(String(SIZE));
    expect(await page.getByTestId("quota-text").textContent()).toContain("12.0 MB reserved");
    await shot(page, "resume-05-reserved");

    await uploadRow(page, "cancelled.bin").getByTestId("upload-cancel").click();
    await waitStatus(page, "cancelled.bin", "cancelled");
    await expect.poll(() => bar.getAttribute("data-reserved")).toBe("0");
    expect(await quota()).toMatchObject({ usedSize: 0, reservedSize: 0 });
    expect(await sessionOf(page, "cancelled.bin")).toBe("");
    await shot(page, "resume-06-cancelled");
  });

  it("a Retry that fails for good releases the reservation and says so, in plain words", async () => {
    const { path } = newFile("spoiled.bin");
    // First the network keeps dropping part 2: the upload stops with its session (and reservation) kept.
    const drop = (route: Route) => route.abort("connectionreset");
    await page.route(/[?&]partNumber=2(&|$)/, drop);
    await page.getByTestId("file-input").setInputFiles(path);
    await waitStatus(page, "spoiled.bin", "error");
    expect((await quota()).reservedSize).toBe(SIZE);
    expect(await uploadRow(page, "spoiled.bin").getByTestId("upload-error").textContent()).toContain("press Retry to continue");
    await page.unroute(/[?&]partNumber=2(&|$)/, drop);

    // The Retry's part 2 arrives with other bytes: the server refuses the content, and the console lets the session go at once.
    const spoil = (route: Route) => route.continue({ postData: Buffer.alloc(5 * MiB, 0x55) });
    await page.route(/[?&]partNumber=2(&|$)/, spoil);
    const aborts: string[] = [];
    page.on("request", (r) => r.url().endsWith("/file/v1/upload/abort") && aborts.push(r.url()));
    await uploadRow(page, "spoiled.bin").getByTestId("upload-resume").click();
    await waitStatus(page, "spoiled.bin", "error");
    await expect.poll(async () => (await quota()).reservedSize).toBe(0);
    await expect.poll(() => page.getByTestId("quota").getAttribute("data-reserved")).toBe("0");
    const message = await uploadRow(page, "spoiled.bin").getByTestId("upload-error").textContent();
    expect(message).toContain("The file changed while it was uploading");
    expect(message).toContain("reserved space was released");
    expect(aborts).toHaveLength(1);
    await shot(page, "resume-07-failed-retry");
  });
});

// The restart is the embedded server's own (one process): on parity the services outlive the app anyway.
describe.skipIf(process.env.POLARIS_TEST_PROFILE === "parity")(
  "console uploads resume after the server restarts (Chromium, throttled)",
  () => {
    it("waits while the server is down and finishes on the same session once it is back; the bytes match", async () => {
      // State that outlives the process: the state folder's own PostgreSQL server (or the pass's PostgreSQL database).
      const database = await freshDatabaseEnv();
      const env = {
        POLARIS_HOME: mkdtempSync(join(tmpdir(), "polaris-restart-")),
        LOG_LEVEL: "SILENT",
        ...(database.env.PGLITE_DIR === "memory" ? {} : database.env),
        MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
        MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
        DEFAULT_QUOTA_BYTES: String(1024 * MiB),
      };
      let server = await startEmbedded(env, 0, "127.0.0.1", consoleFallback);
      const port = Number(new URL(server.url).port);
      try {
        await signedIn(server.url);
        const size = 27 * MiB; // six parts, three at a time: some are still to send when the server goes
        const { content, path } = newFile("restart.bin", size);
        await throttled(page, 4 * MiB);
        const { uploadKey } = await startUpload(page, "restart.bin", path);
        await server.close();
        await uploadRow(page, "restart.bin").and(page.locator('[data-waiting="server"]')).waitFor({ timeout: 60_000 });
        expect(await uploadRow(page, "restart.bin").getByTestId("upload-status").textContent()).toContain("The server does not answer");
        await shot(page, "resume-08-server-down");

        server = await startEmbedded(env, port, "127.0.0.1", consoleFallback);
        await waitStatus(page, "restart.bin", "done", 120_000);
        expect(await sessionOf(page, "restart.bin")).toBe("");
        const row = await server.deps.db
          .selectFrom("uploads")
          .select(["status", "upload_key"])
          .where("upload_key", "=", uploadKey)
          .executeTakeFirstOrThrow();
        expect(row.status).toBe("completed");
        expect(await quota()).toMatchObject({ usedSize: size, reservedSize: 0 });
        await expectDownloaded(page, "restart.bin", content);
      } finally {
        await server.close();
        await database.drop();
        rmSync(env.POLARIS_HOME, { recursive: true, force: true });
      }
    }, 240_000);
  },
);
