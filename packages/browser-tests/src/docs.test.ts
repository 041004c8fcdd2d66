import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextMobile, startTestApp, type TestApp } from "@polaris/api-tests/support";
import { ErrorCodes } from "@polaris/contract";
import { repoRoot } from "@polaris/local/gateway";
import { launchChromium } from "./support/console-app";

// Issue 18, point 5: /docs is Swagger UI (from npm, served by the app itself) over /openapi.json,
// under the page's Content-Security-Policy: every operation listed, nothing reads "undefined"
// (the shared Idempotency-Key parameter is a $ref), the intro's error table is a table, and try-it
// takes the token a login answers.
const resultsDir = resolve(repoRoot, ".polaris/test-results");

let app: TestApp;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  browser = await launchChromium();
  page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } })).newPage();
  await page.addInitScript(() => {
    const window = globalThis as any;
    window.document.addEventListener("securitypolicyviolation", (e: { violatedDirective: string; blockedURI: string }) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  page.on("console", (m) => m.type() === "error" && !/status of 404/.test(m.text()) && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  mkdirSync(resultsDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe("/docs in Chromium", () => {
  it("lists every operation of the document with its method, path and summary, and the error table", async () => {
    const document = (await app.call("GET", "/openapi.json")).body as { paths: Record<string, Record<string, { summary: string }>> };
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, summary: op.summary })),
    );
    await page.goto(`${app.url}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 60_000 });
    const rows = await page.locator(".opblock-summary").evaluateAll((els) =>
      els.map((el) => ({
        method: el.querySelector(".opblock-summary-method")?.textContent,
        path: el.querySelector(".opblock-summary-path")?.getAttribute("data-path"),
        summary: el.querySelector(".opblock-summary-description")?.textContent,
      })),
    );
    expect(rows.length).toBe(operations.length);
    expect(new Set(rows.map((r) => `${r.method} ${r.path} ${r.summary}`))).toEqual(
      new Set(operations.map((o) => `${o.method} ${o.path} ${o.summary}`)),
    );

    // The intro's Markdown is rendered: a table with a row per business code.
    const table = page.locator(".info .renderedMarkdown table");
    expect(await table.locator("tbody tr").count()).toBe(Object.keys(ErrorCodes).length);
    expect(await table.locator("tbody tr").first().locator("td").allTextContents()).toEqual([
      String(ErrorCodes.SERVER_ERROR.code),
      String(ErrorCodes.SERVER_ERROR.status),
      ErrorCodes.SERVER_ERROR.msg,
    ]);
    await page.screenshot({ path: resolve(resultsDir, "docs.png") });

    // A POST: its shared header parameter, resolved from components, and a generated example body.
    const register = page.locator(".opblock-post", { has: page.locator('[data-path="/usercenter/v1/user/register"]') });
    await register.locator(".opblock-summary-control").click();
    await expect.poll(() => register.locator(".parameters").textContent()).toContain("Idempotency-Key");
    expect(await register.locator(".body-param__text, .highlight-code").first().textContent()).toMatch(/"mobile"/);
    expect(await page.locator("#swagger-ui").textContent()).not.toMatch(/undefined/);
    expect(problems).toEqual([]);
  });

  it("tries register, takes the answered token over, and tries an authenticated route with it", async () => {
    const mobile = nextMobile();
    const register = page.locator(".opblock-post", { has: page.locator('[data-path="/usercenter/v1/user/register"]') });
    await register.locator("textarea.body-param__text").fill(JSON.stringify({ mobile, password: "docs-secret-1" }));
    await register.locator(".execute").click();
    await expect
      .poll(() => register.locator(".live-responses-table tr.response .response-col_status").first().textContent())
      .toContain("200");

    // The token box (Authorize) now holds the token: the lock shows it.
    await expect.poll(() => page.locator(".auth-wrapper .authorize").getAttribute("class")).toMatch(/locked/);
    const info = page.locator(".opblock-get", { has: page.locator('[data-path="/usercenter/v1/user/info"]') });
    await info.locator(".opblock-summary-control").click();
    await info.locator(".execute").click();
    const answer = info.locator(".live-responses-table tr.response .response-col_description pre").first();
    await expect.poll(() => answer.textContent()).toContain(mobile);
    await info.screenshot({ path: resolve(resultsDir, "docs-try-it.png") });
    expect(problems).toEqual([]);
  });
});
