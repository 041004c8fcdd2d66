import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFolder, listNames, sha256, startTestApp, type TestApp } from "./support";

/** Issue 16, defects 5 and 6: what the stack trusts before a use case runs. */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ JOB_POLL_MS: String(3600_000) });
});
afterAll(() => app?.close());

const unauthorized = { status: 401, body: expect.objectContaining({ code: 100003 }) };

describe("a validly signed token for a user that does not exist", () => {
  it("is 401 100003 on every route, reads and writes alike", async () => {
    // A real share to save from, so that share save gets past its own checks.
    const owner = await app.signUp();
    const folder = await createFolder(app, owner.token, "Shared");
    const created = await app.call("POST", "/share/v1/share/create", {
      token: owner.token,
      body: { fileIdentity: folder, expiredType: 0, hasCode: false },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const { identity } = created.body.data;
    const shareToken = (await app.call("POST", "/share/v1/share/validate", { body: { identity } })).body.data.shareToken;

    const { accessToken: token } = await app.deps.tokens.issue(999_999);
    expect(await app.deps.tokens.verify(token)).toBe(999_999);
    expect(await app.call("POST", "/file/v1/folder/create", { token, body: { name: "ghost" } })).toMatchObject(unauthorized);
    expect(
      await app.call("POST", "/share/v1/share/save", { token, body: { identity, shareToken, fileIdentities: [folder] } }),
    ).toMatchObject(unauthorized);
    expect(
      await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256("ghost"), size: 5, name: "ghost.bin" } }),
    ).toMatchObject(unauthorized);
    expect(await app.call("GET", "/usercenter/v1/user/info", { token })).toMatchObject(unauthorized);
    expect(await app.call("GET", "/file/v1/file/list", { token })).toMatchObject(unauthorized);
    expect(await app.call("GET", "/usercenter/v1/user/quota", { token })).toMatchObject(unauthorized);
    // The owner's own token still works.
    expect((await app.call("GET", "/file/v1/file/list", { token: owner.token })).status).toBe(200);
  });
});

describe("a request body that is not UTF-8", () => {
  const rawPost = (token: string, body: Buffer) =>
    fetch(`${app.url}/file/v1/folder/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
    });

  it("is 400 100002 naming the problem, and nothing is stored", async () => {
    const { token } = await app.signUp();
    const body = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('name"}')]);
    const res = await rawPost(token, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 100002, msg: expect.stringContaining("UTF-8") });
    // A truncated multi-byte sequence is refused too.
    const truncated = await rawPost(token, Buffer.concat([Buffer.from('{"name":"x'), Buffer.from([0xe6, 0x96]), Buffer.from('"}')]));
    expect(truncated.status).toBe(400);
    expect(await listNames(app, token)).toEqual([]);

    // Well-formed UTF-8 beyond ASCII is taken as it is.
    const good = await rawPost(token, Buffer.from('{"name":"文件夹 ✓"}', "utf8"));
    expect(good.status).toBe(200);
    expect(await listNames(app, token)).toEqual(["文件夹 ✓"]);
  });
});
