import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleFallback } from "@polaris/local/web";
import { startTestApp, uploadFile, type TestApp } from "./support";

/** Issue 16, defect 10: what every answer tells the browser, and the token rules. */

const JWT_SECRET = "security-headers-test-secret-of-32+chars";
let app: TestApp;
let consoleRoot: string;
beforeAll(async () => {
  // A stand-in console build: the headers do not depend on what the page holds.
  consoleRoot = mkdtempSync(join(tmpdir(), "polaris-console-"));
  writeFileSync(join(consoleRoot, "index.html"), "<!doctype html><title>console</title>");
  app = await startTestApp({ JWT_SECRET, JOB_POLL_MS: String(3600_000) }, createConsoleFallback({ root: consoleRoot }));
});
afterAll(async () => {
  await app?.close();
  if (consoleRoot) rmSync(consoleRoot, { recursive: true, force: true });
});

const policyOf = (res: Response) =>
  new Map(
    (res.headers.get("content-security-policy") ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

function expectLockedDown(res: Response) {
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(policyOf(res).get("frame-ancestors")).toEqual(["'none'"]);
}

describe("security headers", () => {
  it("are on every API answer: success, business error, unknown route, preflight, malformed request", async () => {
    const { token } = await app.signUp();
    const answers = [
      await fetch(`${app.url}/file/v1/file/list`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${app.url}/file/v1/file/list`),
      await fetch(`${app.url}/usercenter/v1/user/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      await fetch(`${app.url}/file/v1/nothing-here`),
      await fetch(`${app.url}/file/v1/file/list`, {
        method: "OPTIONS",
        headers: { origin: "http://elsewhere.test", "access-control-request-method": "GET" },
      }),
      await fetch(`${app.url}/healthz`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 400, 404, 204, 200]);
    for (const res of answers) {
      expectLockedDown(res);
      // JSON is data: as a document it may load nothing.
      expect(policyOf(res).get("default-src")).toEqual(["'none'"]);
    }
  });

  it("let the docs page run exactly its viewer from this origin and its own inline script and style, and fetch openapi.json", async () => {
    const res = await fetch(`${app.url}/docs`);
    expect(res.status).toBe(200);
    expectLockedDown(res);
    const html = await res.text();
    const policy = policyOf(res);
    const hash = (tag: string) => {
      const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)![1];
      return `'sha256-${createHash("sha256").update(inline).digest("base64")}'`;
    };
    expect(policy.get("script-src")).toEqual(["'self'", hash("script")]);
    expect(policy.get("style-src")).toEqual(["'self'", hash("style")]);
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    expect(html).not.toMatch(/ style=/);
    // What it loads is the viewer, from this origin (relative URLs), and the viewer answers.
    const loaded = [...html.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+)"/g)].map((m) => m[1].replaceAll("&amp;", "&"));
    expect(loaded).toHaveLength(2);
    for (const url of loaded) {
      expect(url).toMatch(/^docs\/assets\?file=/);
      const asset = await fetch(new URL(url, res.url), { headers: { "accept-encoding": "gzip" } });
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/^text\/(javascript|css)/);
      expect(asset.headers.get("content-encoding")).toBe("gzip");
      expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    }
  });

  it("let the console reach its API and the object store, and nothing else", async () => {
    for (const path of ["/", "/folder/abc", "/index.html"]) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status, path).toBe(200);
      expectLockedDown(res);
      const policy = policyOf(res);
      expect(policy.get("default-src")).toEqual(["'self'"]);
      expect(policy.get("script-src")).toEqual(["'self'"]);
      expect(policy.get("connect-src")).toContain("'self'");
      const { S3_PUBLIC_ENDPOINT, S3_ENDPOINT, AWS_ENDPOINT_URL } = app.deps.config; // path-style on both local profiles
      const store = new URL((S3_PUBLIC_ENDPOINT ?? S3_ENDPOINT ?? AWS_ENDPOINT_URL)!).origin;
      // Uploads go to the store; thumbnails, previews and the PDF frame come from it (another origin on parity).
      for (const directive of ["connect-src", "img-src", "media-src", "frame-src"])
        expect(policy.get(directive), directive).toContain(store);
      expect(policy.get("object-src")).toEqual(["'none'"]);
    }
  });
});

describe("the object store's downloads", () => {
  const html = Buffer.from("<!doctype html><script>parent.stolen = localStorage.getItem('polaris.token')</script>");

  const downloadOfHtml = async () => {
    const { token } = await app.signUp();
    const identity = await uploadFile(app, token, html, { name: "page.html", mimeType: "text/html" });
    const { url } = (await app.call("GET", "/file/v1/file/download", { token, query: { identity } })).body.data;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.clone().arrayBuffer())).toEqual(html);
    return res;
  };

  it("of an uploaded HTML file are attachments", async () => {
    expect((await downloadOfHtml()).headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  // The embedded store shares the console's origin; parity's moto is another origin (and does not do this).
  const embeddedStore = it.skipIf(process.env.POLARIS_TEST_PROFILE === "parity");

  embeddedStore("of an uploaded HTML file are sandboxed and not sniffed", async () => {
    const res = await downloadOfHtml();
    expect(res.headers.get("content-security-policy")).toMatch(/^sandbox(;|$)/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  embeddedStore("are sandboxed even when a presigned GET asks for the object as an inline HTML page", async () => {
    const { config } = app.deps;
    const s3 = new S3Client({
      region: config.AWS_REGION,
      endpoint: app.s3Endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: config.AWS_ACCESS_KEY_ID!, secretAccessKey: config.AWS_SECRET_ACCESS_KEY! },
    });
    await s3.send(new PutObjectCommand({ Bucket: config.S3_BUCKET, Key: "probe/page.svg", Body: html, ContentType: "image/svg+xml" }));
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: config.S3_BUCKET,
        Key: "probe/page.svg",
        ResponseContentType: "text/html",
        ResponseContentDisposition: "inline",
      }),
      { expiresIn: 60 },
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.headers.get("content-security-policy")).toMatch(/^sandbox(;|$)/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    s3.destroy();
  });
});

describe("access tokens", () => {
  const key = new TextEncoder().encode(JWT_SECRET);
  const signed = (claims: { exp?: number; sub?: string }) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer("polaris")
      .setAudience("polaris-api")
      .setIssuedAt();
    if (claims.sub) jwt.setSubject(claims.sub);
    if (claims.exp) jwt.setExpirationTime(claims.exp);
    return jwt.sign(key);
  };

  it("without exp are refused (401 100003), though signed with the right secret for a real user", async () => {
    const { token } = await app.signUp();
    const userId = (await app.deps.tokens.verify(token))!;
    const exp = Math.floor(Date.now() / 1000) + 600;
    // The same claims with an expiry pass: the secret and claims are right, only exp is missing.
    const withExp = await signed({ sub: String(userId), exp });
    expect((await app.call("GET", "/usercenter/v1/user/info", { token: withExp })).status).toBe(200);
    const forever = await signed({ sub: String(userId) });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await app.call("GET", "/usercenter/v1/user/info", { token: forever })).toMatchObject({ status: 401, body: { code: 100003 } });
    }
    expect(await app.call("GET", "/file/v1/file/list", { token: await signed({ exp }) })).toMatchObject({
      status: 401,
      body: { code: 100003 },
    });
  });
});
