import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, startTestApp, type TestApp } from "./support";

/** What the schema fuzzing pass (packages/api-tests/src/stress/fuzz.test.ts) found, kept as plain cases. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const invalid = (field: string) => ({ status: 400, body: expect.objectContaining({ code: 100002, msg: expect.stringContaining(field) }) });

describe("text the database cannot hold is bad input (400 naming the field), not a 500", () => {
  it("refuses NUL and control characters in a new user's name", async () => {
    for (const name of ["a\u0000b", "tab\there", "\u007f"]) {
      expect(
        await app.call("POST", "/usercenter/v1/user/register", { body: { mobile: "13912340000", password: "secret-password", name } }),
      ).toMatchObject(invalid("name"));
    }
    expect(
      await app.call("POST", "/usercenter/v1/user/login", { body: { mobile: "13912340000", password: "secret-password" } }),
    ).toMatchObject({ status: 401 });
  });

  it("refuses a media type that is not one, and takes the ones browsers send", async () => {
    const { token } = await app.signUp();
    const body = (mimeType: string, i: number) => ({ hash: sha256(`m${i}`), size: 5, name: `m${i}.bin`, mimeType });
    for (const [i, mimeType] of ["text/plain\u0000", "text/plain\r\nx-evil: 1", "plain", "a b/c"].entries()) {
      expect(await app.call("POST", "/file/v1/upload/presign", { token, body: body(mimeType, i) })).toMatchObject(invalid("mimeType"));
    }
    for (const [i, mimeType] of [
      "",
      "image/svg+xml",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "text/plain; charset=utf-8",
    ].entries()) {
      expect((await app.call("POST", "/file/v1/upload/presign", { token, body: body(mimeType, 10 + i) })).status, mimeType).toBe(200);
    }
  });

  it("refuses NUL in a search keyword or extension list and in a forged list cursor", async () => {
    const { token } = await app.signUp();
    expect(await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "a\u0000" } })).toMatchObject(invalid("keyword"));
    expect(await app.call("GET", "/search/v1/search/files", { token, query: { ext: "pdf,\u0000" } })).toMatchObject(invalid("ext"));
    const cursor = Buffer.from(JSON.stringify([false, "a\u0000", 1])).toString("base64url");
    expect(await app.call("GET", "/file/v1/file/list", { token, query: { cursor } })).toMatchObject(invalid("cursor"));
  });
});

describe("the request side of the document", () => {
  it("refuses an empty Idempotency-Key instead of ignoring it", async () => {
    const { token } = await app.signUp();
    const res = await app.call("POST", "/file/v1/folder/create", { token, body: { name: "k" }, headers: { "idempotency-key": "" } });
    expect(res).toMatchObject(invalid("Idempotency-Key"));
  });

  it("answers a long share token with 400 naming it, and headers past the gateway's limit with the envelope", async () => {
    const shareToken = "令".repeat(2049);
    expect(await app.call("GET", "/share/v1/share/detail", { query: { identity: crypto.randomUUID(), shareToken } })).toMatchObject(
      invalid("shareToken"),
    );
    const res = await fetch(`${app.url}/healthz`, { headers: { "x-padding": "p".repeat(70 * 1024) } });
    expect(res.status).toBe(431);
    expect(await res.json()).toMatchObject({ code: 100002, msg: expect.stringContaining("headers") });
  });

  it("marks a body optional exactly where every field is, and serves such routes without one", async () => {
    const doc = (await app.call("GET", "/openapi.json")).body;
    expect(doc.paths["/file/v1/trash/clear"].post.requestBody.required).toBe(false);
    expect(doc.paths["/file/v1/folder/create"].post.requestBody.required).toBe(true);
    const { token } = await app.signUp();
    expect(await app.call("POST", "/file/v1/trash/clear", { token })).toMatchObject({ status: 200, body: { data: { deletedCount: 0 } } });
  });
});
