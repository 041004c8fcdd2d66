import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextMobile, type TestApp } from "@polaris/api-tests/support";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, startConsoleApp } from "./support/console-app";

// Issue 16, defect 10: the console, the docs page and the object store under their
// Content-Security-Policy in Chromium. The console must work with nothing violating its policy
// (uploads single and multipart, download; the docs page: docs.test.ts), and an uploaded page must not run script.
const MiB = 1024 * 1024;

let app: TestApp;
let browser: Browser;
let context: BrowserContext;
let files: string;

/** Every CSP violation and console error a page reports, from its first script on. */
async function watched(p: Page) {
  const problems: string[] = [];
  await p.addInitScript(() => {
    // Runs in the page (the DOM's types are not this program's).
    const page = globalThis as any;
    page.document.addEventListener("securitypolicyviolation", (e: { violatedDirective: string; blockedURI: string }) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  p.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  p.on("pageerror", (e) => problems.push(String(e)));
  return problems;
}

beforeAll(async () => {
  await buildConsoleIfNeeded();
  app = await startConsoleApp({ MULTIPART_THRESHOLD_BYTES: String(6 * MiB), MULTIPART_PART_SIZE_BYTES: String(5 * MiB) });
  browser = await launchChromium();
  context = await browser.newContext({ locale: "en-US", acceptDownloads: true });
  files = mkdtempSync(join(tmpdir(), "polaris-csp-files-"));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe("Content-Security-Policy in the browser", () => {
  it("lets the console sign up, upload (single PUT and multipart), list and download with no violation", async () => {
    const page = await context.newPage();
    const problems = await watched(page);
    await page.goto(app.url);
    await page.getByTestId("auth-toggle").click();
    await page.locator('input[name="mobile"]').fill(nextMobile());
    await page.locator('input[name="password"]').fill("csp-secret-1");
    await page.getByTestId("auth-submit").click();
    await page.getByTestId("drive").waitFor();

    const small = join(files, "small.txt");
    writeFileSync(small, "under the policy\n".repeat(100));
    const big = join(files, "big.bin");
    writeFileSync(big, Buffer.alloc(7 * MiB, 7));
    await page.getByTestId("file-input").setInputFiles([small, big]);
    for (const name of ["small.txt", "big.bin"]) {
      await page.locator(`[data-testid="upload-row"][data-name="${name}"][data-status="done"]`).waitFor({ timeout: 60_000 });
      await page.locator(`[data-testid="file-row"][data-name="${name}"]`).waitFor();
    }
    // A text file's name opens its preview; the row menu downloads it.
    await page.locator('[data-testid="file-row"][data-name="small.txt"]').getByTestId("row-menu").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("menu-download").click()]);
    expect(readFileSync((await download.path())!, "utf8")).toBe(readFileSync(small, "utf8"));
    expect(problems).toEqual([]);

    // The policy is in force: script the page did not ship is refused, and reported.
    const injected = await page.evaluate(() => {
      const window = globalThis as any;
      const s = window.document.createElement("script");
      s.textContent = "window.injected = true";
      window.document.body.append(s);
      return (window.injected as boolean | undefined) ?? false;
    });
    expect(injected).toBe(false);
    await expect.poll(() => problems.join("\n")).toMatch(/CSP violation: script-src/);
    await page.close();
  });

  it("does not run the script of an uploaded page opened from the store, even when asked for inline HTML", async () => {
    const { config } = app.deps;
    const s3 = new S3Client({
      region: config.AWS_REGION,
      endpoint: app.s3Endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: config.AWS_ACCESS_KEY_ID!, secretAccessKey: config.AWS_SECRET_ACCESS_KEY! },
    });
    const body = "<!doctype html><title>static</title><script>document.title = 'ran: ' + localStorage.length</script><p>hello</p>";
    await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: "probe/page.html", Body: body, ContentType: "text/html" }));
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: config.S3_BUCKET,
        Key: "probe/page.html",
        ResponseContentDisposition: "inline",
      }),
      { expiresIn: 60 },
    );
    s3.destroy();
    expect(new URL(url).origin).toBe(new URL(app.url).origin);
    const page = await context.newPage();
    await page.goto(url);
    await expect.poll(() => page.locator("p").textContent()).toBe("hello");
    expect(await page.title()).toBe("static");
    await page.close();
  });
});
