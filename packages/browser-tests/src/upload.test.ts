import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "@polaris/api-tests/support";
import { launchChromium } from "./support/console-app";

const MiB = 1024 * 1024;
const probePage = readFileSync(join(import.meta.dirname, "upload-probe.html"));

let app: TestApp;
let browser: Browser;
let page: Page;
const pageOrigin = () => app.url.replace("127.0.0.1", "localhost");

beforeAll(async () => {
  app = await startTestApp(
    { MULTIPART_THRESHOLD_BYTES: String(16 * MiB), MULTIPART_PART_SIZE_BYTES: String(8 * MiB) },
    (_req, res, url) => {
      if (url.pathname !== "/upload-probe.html") return false;
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(probePage);
      return true;
    },
  );
  browser = await launchChromium();
  page = await browser.newPage();
  // The page comes from another name than presigned URLs carry, so the browser PUTs across origins
  // as it does to S3 (the embedded store shares the API's port) and the bucket's CORS rule is used.
  await page.goto(`${pageOrigin()}/upload-probe.html`);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("browser uploads straight to storage (Chromium)", () => {
  it("registers, presigns, PUTs with the signed checksum across origins, calls back and lists the file", async () => {
    const result = await page.evaluate(async () => {
      const probe = (globalThis as any).probe;
      const token = await probe.signUp("13700000001");
      const plan = (await probe.presign(token, 300_000, 1, "photo.jpg")).data;
      const status = await probe.putSingle(plan, 300_000, 1);
      const done = await probe.callback(token, plan.uploadKey);
      const list = await probe.list(token);
      return {
        mode: plan.mode,
        storageOrigin: new URL(plan.uploadUrl).origin,
        status,
        done,
        names: list.data.list.map((f: any) => f.name),
      };
    });
    expect(result.mode).toBe("single");
    expect(result.storageOrigin).not.toBe(pageOrigin());
    expect(result.status).toBe(200);
    expect(result.done).toMatchObject({ code: 200, data: { file: { name: "photo.jpg", size: 300_000 } } });
    expect(result.names).toEqual(["photo.jpg"]);
  });

  it("resumes a 24 MiB multipart upload after the page reloads mid-way", async () => {
    const first = await page.evaluate(async () => {
      const probe = (globalThis as any).probe;
      const token = await probe.signUp("13700000002");
      const plan = (await probe.presign(token, 24 * 1024 * 1024, 2, "video.mp4")).data;
      const sent = await probe.putParts(plan.parts.slice(0, 1), plan.partSize, 24 * 1024 * 1024, 2);
      return { token, plan: { uploadKey: plan.uploadKey, mode: plan.mode, partSize: plan.partSize, count: plan.parts.length }, sent };
    });
    expect(first.plan).toMatchObject({ mode: "multipart", partSize: 8 * MiB, count: 3 });
    expect(first.sent).toEqual([{ partNumber: 1, status: 200, etag: expect.stringMatching(/^".+"$/) }]);

    await page.reload();
    const resumed = await page.evaluate(
      async ({ token, uploadKey, partSize }) => {
        const probe = (globalThis as any).probe;
        const state = (await probe.resume(token, uploadKey)).data;
        const sent = await probe.putParts(state.parts, partSize, 24 * 1024 * 1024, 2);
        const parts = [
          ...state.uploaded.map((p: any) => ({ partNumber: p.partNumber, etag: p.etag })),
          ...sent.map((p: any) => ({ partNumber: p.partNumber, etag: p.etag })),
        ];
        const done = await probe.callback(token, uploadKey, parts);
        const list = await probe.list(token);
        return {
          uploaded: state.uploaded.map((p: any) => p.partNumber),
          missing: state.parts.map((p: any) => p.partNumber),
          done,
          names: list.data.list.map((f: any) => f.name),
        };
      },
      { token: first.token, uploadKey: first.plan.uploadKey, partSize: first.plan.partSize },
    );
    expect(resumed.uploaded).toEqual([1]);
    expect(resumed.missing).toEqual([2, 3]);
    expect(resumed.done).toMatchObject({ code: 200, data: { file: { name: "video.mp4", size: 24 * MiB } } });
    expect(resumed.names).toEqual(["video.mp4"]);
  });
});
