import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextMobile, startTestApp, type TestApp } from "./support";

let app: TestApp;
const jwtSecret = "test-secret-for-users-suite-0123456789abcdef";
beforeAll(async () => {
  app = await startTestApp({ JWT_SECRET: jwtSecret, LOGIN_MAX_FAILURES_PER_MOBILE: "3", LOGIN_MAX_FAILURES_PER_ADDRESS: "1000" });
});
afterAll(() => app?.close());

const register = (body: unknown, headers?: Record<string, string>) => app.call("POST", "/usercenter/v1/user/register", { body, headers });
const login = (body: unknown) => app.call("POST", "/usercenter/v1/user/login", { body });
const userCount = async () =>
  Number(
    (
      await app.deps.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("register, login, info, quota", () => {
  it("walks the whole session", async () => {
    const mobile = nextMobile();
    const reg = await register({ mobile, password: "s3cret-pass", name: "Ada" });
    expect(reg.status).toBe(200);
    expect(reg.body).toMatchObject({ code: 200, msg: "OK" });
    const now = Math.floor(Date.now() / 1000);
    expect(reg.body.data.accessExpire).toBeGreaterThan(now);
    expect(reg.body.data.refreshAfter).toBeGreaterThan(now);
    expect(reg.body.data.refreshAfter).toBeLessThan(reg.body.data.accessExpire);

    const logged = await login({ mobile, password: "s3cret-pass" });
    expect(logged.status).toBe(200);
    const token = logged.body.data.accessToken;

    const info = await app.call("GET", "/usercenter/v1/user/info", { token });
    expect(info.body.data.userInfo).toMatchObject({ mobile, name: "Ada", avatar: "", info: "" });
    expect(Math.abs(info.body.data.userInfo.createTime - now)).toBeLessThan(120);

    // The bare token is accepted as the original product did.
    const quota = await app.call("GET", "/usercenter/v1/user/quota", { headers: { authorization: token } });
    // Also under `quota`, where Polaris-IO's clients read it.
    const figures = { totalSize: 10 * 1024 ** 3, usedSize: 0 };
    expect(quota.body.data).toEqual({ ...figures, reservedSize: 0, quota: figures });
  });

  it("stores a salted slow hash, never the password", async () => {
    const mobile = nextMobile();
    await register({ mobile, password: "same-password" });
    const other = nextMobile();
    await register({ mobile: other, password: "same-password" });
    const rows = await app.deps.db.selectFrom("users").select(["mobile", "password_hash"]).where("mobile", "in", [mobile, other]).execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // scrypt at the cost PASSWORD_HASH_COST gives (the test apps' 10: N = 1024), its parameters stored beside it.
      expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$/);
      expect(row.password_hash).not.toContain("same-password");
    }
    expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
  });
});

describe("bad input", () => {
  it.each([
    ["a 10-digit mobile", { mobile: "1380000000", password: "secret1" }, "mobile"],
    ["a mobile with letters", { mobile: "1380000000a", password: "secret1" }, "mobile"],
    ["a 5-character password", { mobile: "13800000001", password: "12345" }, "password"],
    ["a 73-character password", { mobile: "13800000001", password: "x".repeat(73) }, "password"],
    ["a missing password", { mobile: "13800000001" }, "password"],
    ["a numeric mobile", { mobile: 13800000001, password: "secret1" }, "mobile"],
    ["a 100 KB name", { mobile: "13800000001", password: "secret1", name: "n".repeat(100_000) }, "name"],
    ["an array body", [1, 2], "body"],
  ])("rejects %s with 400 100002 naming the field", async (_, body, field) => {
    const before = await userCount();
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(100002);
    expect(res.body.msg).toContain(field);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await userCount()).toBe(before);
  });

  it("rejects malformed JSON and a wrong content type", async () => {
    const malformed = await app.call("POST", "/usercenter/v1/user/register", {
      body: '{"mobile": "1380',
      headers: { "content-type": "application/json" },
    });
    expect(malformed).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(malformed.body.msg).toMatch(/JSON/);
    const wrongType = await app.call("POST", "/usercenter/v1/user/register", {
      body: "mobile=1",
      headers: { "content-type": "text/plain" },
    });
    expect(wrongType).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(wrongType.body.msg).toMatch(/Content-Type/);
  });

  it("rejects a 10 MB body with 413 100002", async () => {
    const res = await register({ mobile: "13800000001", password: "secret1", name: "x".repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe(100002);
  });

  it("answers an unknown route with 404 and a wrong method with 405", async () => {
    expect((await app.call("GET", "/usercenter/v1/user/nothing")).status).toBe(404);
    const wrong = await app.call("GET", "/usercenter/v1/user/register");
    expect(wrong.status).toBe(405);
    expect(wrong.body.code).toBe(100005);
  });
});

describe("credentials", () => {
  it("refuses a duplicate mobile with 409 200002 and the original message", async () => {
    const mobile = nextMobile();
    await register({ mobile, password: "secret1" });
    const again = await register({ mobile, password: "another1" });
    expect(again).toEqual({ status: 409, body: { code: 200002, msg: "该手机号已注册" } });
  });

  it("lets exactly one of many concurrent duplicate registrations succeed", async () => {
    const mobile = nextMobile();
    const results = await Promise.all(Array.from({ length: 8 }, () => register({ mobile, password: "secret1" })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.code === 200002)).toHaveLength(7);
    const rows = await app.deps.db.selectFrom("users").select("id").where("mobile", "=", mobile).execute();
    expect(rows).toHaveLength(1);
  });

  it("answers a wrong password and an unknown mobile the same way", async () => {
    const { mobile } = await app.signUp();
    const wrong = await login({ mobile, password: "not-the-password" });
    const unknown = await login({ mobile: nextMobile(), password: "not-the-password" });
    expect(wrong).toEqual({ status: 401, body: { code: 200003, msg: "wrong mobile or password" } });
    expect(unknown).toEqual(wrong);
  });

  it("throttles repeated failed logins for one mobile with 429, even with the right password", async () => {
    const { mobile, password } = await app.signUp();
    for (let i = 0; i < 3; i++) expect((await login({ mobile, password: "wrong-one" })).status).toBe(401);
    const blocked = await login({ mobile, password });
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe(100007);
  });

  it("checks no more passwords than the limit when wrong ones arrive in parallel", async () => {
    const { mobile, password } = await app.signUp();
    // Each check takes its attempt before the (slow) password hash: a count read first would let all 25 through.
    const results = await Promise.all(Array.from({ length: 25 }, () => login({ mobile, password: "wrong-one" })));
    expect(results.filter((r) => r.status === 401 && r.body.code === 200003)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429 && r.body.code === 100007)).toHaveLength(22);
    expect(await login({ mobile, password })).toMatchObject({ status: 429, body: { code: 100007 } });
  });

  it("gives a successful login's attempt back: a right password clears the mobile's failures", async () => {
    const { mobile, password } = await app.signUp();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await login({ mobile, password: "wrong-one" })).status).toBe(401);
      expect((await login({ mobile, password })).status).toBe(200);
    }
  });
});

describe("tokens", () => {
  const info = (authorization?: string) => app.call("GET", "/usercenter/v1/user/info", { headers: authorization ? { authorization } : {} });

  it.each([
    ["missing", undefined],
    ["malformed", "Bearer not-a-token"],
    ["empty bearer", "Bearer "],
  ])("refuses a %s token with 401 100003", async (_, header) => {
    expect(await info(header)).toEqual({ status: 401, body: { code: 100003, msg: "token missing, invalid or expired" } });
  });

  it("refuses a token signed with another key, an expired one and alg:none", async () => {
    const { token } = await app.signUp();
    expect((await info(`Bearer ${token}`)).status).toBe(200);
    const { sub, iss, aud } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    const sign = (key: string, expiresAt: number) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(sub)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(expiresAt - 3600)
        .setExpirationTime(expiresAt)
        .sign(new TextEncoder().encode(key));
    const now = Math.floor(Date.now() / 1000);
    const sameKeyFresh = await sign(jwtSecret, now + 3600);
    const forged = await sign("another-key-".repeat(4), now + 3600);
    const expired = await sign(jwtSecret, now - 60);
    const unsigned = new UnsecuredJWT({}).setSubject(sub).setIssuer(iss).setAudience(aud).setIssuedAt().setExpirationTime("1h").encode();
    // The control proves the forgeries fail for their flaw alone.
    expect((await info(`Bearer ${sameKeyFresh}`)).status).toBe(200);
    for (const bad of [forged, expired, unsigned]) {
      expect(await info(`Bearer ${bad}`)).toEqual({ status: 401, body: { code: 100003, msg: "token missing, invalid or expired" } });
    }
  });
});
