import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFolder, uploadFile, type TestApp } from "@polaris/api-tests/support";
import { repoRoot } from "@polaris/local/gateway";
import { buildConsoleIfNeeded } from "@polaris/local/web";
import { launchChromium, startConsoleApp } from "./support/console-app";

// Issue 18, points 1-2 in Chromium: previews of an image (lightbox, next), a PDF (the browser's
// viewer), highlighted code, a preview-only share, and the grid of thumbnails, remembered across a
// reload. Nothing may violate the console's Content-Security-Policy. Screenshots: .polaris/test-results/.
const results = resolve(repoRoot, ".polaris/test-results");

let app: TestApp;
let browser: Browser;
let page: Page;
let token: string;
let folder: string;
const problems: string[] = [];

const shot = (name: string) => page.screenshot({ path: join(results, `${name}.png`) });
const open = (name: string) => page.locator(`[data-testid="file-row"][data-name="${name}"] .name-text a`).click();

/** A one-page PDF with a line of text (what a browser's PDF viewer needs, written out by hand). */
function pdf(text: string) {
  const stream = `BT /F1 28 Tf 40 120 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 240] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A picture with something to see: a diagonal gradient. */
const picture = (width: number, height: number, hue: number) => {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set([(x * 255) / width, hue, (y * 255) / height], (y * width + x) * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
};

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  await buildConsoleIfNeeded();
  app = await startConsoleApp();
  browser = await launchChromium();
  ({ token } = await app.signUp());
  folder = await createFolder(app, token, "holiday");
  const put = (content: Buffer, name: string, mimeType: string) => uploadFile(app, token, content, { name, mimeType, parentId: folder });
  await put(await picture(900, 600, 40), "a-beach.jpg", "image/jpeg");
  await put(await picture(600, 800, 200), "b-hills.jpg", "image/jpeg");
  await put(pdf("Polaris preview"), "c-itinerary.pdf", "application/pdf");
  await put(
    Buffer.from('// the trip\nexport const days: number = 7;\nfunction pack(items: string[]) {\n  return items.join(", ");\n}\n'),
    "d-plan.ts",
    "text/plain",
  );
  await app.background.idle();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
  // The console's own pages only (not the frames of the store or the PDF viewer).
  await context.addInitScript(
    ({ t, origin }) => (globalThis as any).origin === origin && (globalThis as any).localStorage?.setItem("polaris.token", t),
    {
      t: token,
      origin: new URL(app.url).origin,
    },
  );
  page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(`${e} ${e.stack}`));
  await page.goto(`${app.url}/folder/${folder}`);
  await page.locator('[data-testid="file-row"]').first().waitFor();
}, 300_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await shot(`failed-${ctx.task.name.replace(/[^\w]+/g, "-").slice(0, 50)}`).catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("previews and the grid", () => {
  it("shows an image in a lightbox and steps to the next file of the folder", async () => {
    await open("a-beach.jpg");
    const image = page.getByTestId("preview-image");
    await image.waitFor();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="preview-image"]')?.naturalWidth === 900);
    expect(await page.getByTestId("preview-position").textContent()).toBe("1 / 4");
    await shot("preview-image");
    await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="preview-image"]')?.naturalWidth === 600);
    expect(await page.getByTestId("preview-name").textContent()).toBe("b-hills.jpg");
    await page.keyboard.press("Escape");
  });

  it("shows a PDF in the browser's viewer and code highlighted", async () => {
    await open("c-itinerary.pdf");
    const frame = page.getByTestId("preview-pdf");
    await frame.waitFor();
    expect(await frame.getAttribute("src")).toContain("response-content-disposition=inline");
    // Chromium's viewer (an extension's page) loads inside the frame, then draws the page.
    await expect.poll(() => page.frames().some((f) => f.url().startsWith("chrome-extension://")), { timeout: 10_000 }).toBe(true);
    await page.waitForTimeout(500);
    await shot("preview-pdf");
    await page.getByTestId("preview-next").click();
    await page.locator('[data-testid="preview-text"] .hljs-keyword').first().waitFor();
    expect(await page.getByTestId("preview-text").textContent()).toContain("export const days: number = 7;");
    await shot("preview-text");
    await page.keyboard.press("Escape");
  });

  it("lays the folder out as a grid of thumbnails, remembered across a reload", async () => {
    await page.getByTestId("view-toggle").click();
    await page.getByTestId("file-grid").waitFor();
    const loaded = () =>
      page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('[data-testid="grid-thumbnail"]')].map(
          (i: any) => i.complete && i.naturalWidth > 0,
        ),
      );
    await page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('[data-testid="grid-thumbnail"]')].every(
        (i: any) => i.complete && i.naturalWidth > 0,
      ),
    );
    expect(await loaded()).toEqual([true, true]);
    await shot("grid");
    await page.reload();
    await page.getByTestId("file-grid").waitFor();
    expect(await page.getByTestId("grid-tile").count()).toBe(4);
    await page.getByTestId("view-toggle").click();
    await page.getByTestId("file-list").waitFor();
  });

  it("previews on a preview-only share without a download button", async () => {
    const list = await app.call("GET", "/file/v1/file/list", { token, query: { parentId: folder } });
    const beach = list.body.data.list.find((f: { name: string }) => f.name === "a-beach.jpg");
    const share = await app.call("POST", "/share/v1/share/create", {
      token,
      body: { fileIdentity: beach.identity, expiredType: 0, hasCode: false, previewOnly: true },
    });
    const visitor = await (await browser.newContext({ locale: "zh-CN" })).newPage();
    await visitor.goto(`${app.url}/s/${share.body.data.identity}`);
    await visitor.getByTestId("share-preview").click();
    await visitor.waitForFunction(() => (globalThis as any).document.querySelector('[data-testid="preview-image"]')?.naturalWidth === 900);
    expect(await visitor.getByTestId("preview-download").count()).toBe(0);
    await visitor.screenshot({ path: join(results, "share-preview.png") });
    expect(problems).toEqual([]);
  });
});
