import { setTimeout } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, instantUpload, sha256, startTestApp, uploadFile, type TestApp } from "./support";

/**
 * Accounts (password, sign-out, profile, disabled users) and the administrator (users, quotas,
 * password resets, share bans, figures, audit), through HTTP on real SQL. The app trusts what it read
 * about a token for AUTH_CACHE_SECONDS=1, so a change made behind its back (as by another Lambda
 * container) shows within that bound.
 */
let app: TestApp;
let admin: { token: string; mobile: string };
let alice: { token: string; mobile: string; password: string };
let bob: { token: string; mobile: string };
let shareId: string;
let aliceFile: string;
const content = bytes(1000, 2020);

const get = (path: string, token?: string, query?: Record<string, unknown>) => app.call("GET", path, { token, query });
const post = (path: string, token: string | undefined, body: unknown) => app.call("POST", path, { token, body });
const info = (token: string) => get("/usercenter/v1/user/info", token);
const login = (mobile: string, password: string) => post("/usercenter/v1/user/login", undefined, { mobile, password });

async function instantUploaded(token: string, data: Buffer, name: string) {
  const done = await instantUpload(app, token, data, { name });
  expect(done.body.data.exists).toBe(true);
}

beforeAll(async () => {
  app = await startTestApp({ AUTH_CACHE_SECONDS: "1" });
  admin = await app.signUp();
  alice = await app.signUp();
  bob = await app.signUp();
  aliceFile = await uploadFile(app, alice.token, content, { name: "report.bin" });
  await instantUploaded(bob.token, content, "copy.bin");
  shareId = (await post("/share/v1/share/create", alice.token, { fileIdentity: aliceFile, expiredType: 0, hasCode: false })).body.data
    .identity;
});
afterAll(() => app?.close());

describe("the administrator", () => {
  it("is the first account of a fresh install; figures match the data set exactly", async () => {
    expect((await info(admin.token)).body.data.userInfo.role).toBe("admin");
    expect((await info(alice.token)).body.data.userInfo.role).toBe("user");
    // Three days ago: 3 instant uploads of 4 (a day the upload paths did not write).
    const { id } = await app.deps.db.selectFrom("users").select("id").where("mobile", "=", alice.mobile).executeTakeFirstOrThrow();
    const past = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    await app.deps.db.insertInto("upload_days").values({ user_id: id, day: past, instant: 3, uploaded: 1 }).execute();
    const { body } = await get("/admin/v1/stats", admin.token);
    const { uploadDays, ...figures } = body.data;
    expect(figures).toEqual({
      users: 3,
      disabledUsers: 0,
      admins: 1,
      files: 2,
      blobs: 1,
      storedBytes: 1000,
      logicalBytes: 2000,
      dedupRatio: 2,
      shares: 1,
      bannedShares: 0,
      instantRate: 4 / 6,
    });
    expect(uploadDays).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(uploadDays.at(-1)).toEqual({ day: today, instant: 1, completed: 2, rate: 0.5 });
    expect(uploadDays.find((d: { day: string }) => d.day === past)).toEqual({ day: past, instant: 3, completed: 4, rate: 0.75 });
    expect(uploadDays.filter((d: { completed: number }) => d.completed === 0)).toHaveLength(28);
  });

  it("lists and searches users with their usage, and sets quotas never below usage without force", async () => {
    const all = await get("/admin/v1/users", admin.token);
    expect(all.body.data.total).toBe(3);
    const found = await get("/admin/v1/users", admin.token, { keyword: alice.mobile.slice(-6) });
    expect(found.body.data.list).toEqual([
      expect.objectContaining({ mobile: alice.mobile, role: "user", disabled: false, usedSize: 1000, items: 1, lastLoginTime: 0 }),
    ]);
    const quota = (totalSize: number, force?: boolean) =>
      post("/admin/v1/user/quota", admin.token, { mobile: alice.mobile, totalSize, force });
    expect(await quota(999)).toMatchObject({ status: 409, body: { code: 200008 } });
    expect((await quota(5000)).body.data.user.totalSize).toBe(5000);
    expect((await quota(10, true)).body.data.user).toMatchObject({ totalSize: 10, usedSize: 1000 });
    const presign = await post("/file/v1/upload/presign", alice.token, { hash: sha256("x"), size: 1, name: "x.bin" });
    expect(presign.body.code).toBe(200004);
    expect((await quota(10 * 1024 ** 3)).status).toBe(200);
    expect(await post("/admin/v1/user/quota", admin.token, { mobile: "13000000000", totalSize: 1 })).toMatchObject({
      status: 404,
      body: { code: 200001 },
    });
  });

  it("bans a share for validate, detail, download and save with 403 400005, and lifts the ban", async () => {
    const visitor = {
      validate: () => post("/share/v1/share/validate", undefined, { identity: shareId }),
      detail: () => get("/share/v1/share/detail", undefined, { identity: shareId }),
      download: () => get("/share/v1/share/download", undefined, { identity: shareId }),
      save: () => post("/share/v1/share/save", bob.token, { identity: shareId, fileIdentities: [aliceFile], targetFolderId: "0" }),
    };
    const ban = (banned: boolean) => post("/admin/v1/share/ban", admin.token, { identity: shareId, banned });
    expect((await ban(true)).body.data.share).toMatchObject({ identity: shareId, status: 1, ownerMobile: alice.mobile });
    for (const [name, call] of Object.entries(visitor)) expect(await call(), name).toMatchObject({ status: 403, body: { code: 400005 } });
    const listed = await get("/admin/v1/shares", admin.token, { status: 1 });
    expect(listed.body.data.list.map((s: { identity: string }) => s.identity)).toEqual([shareId]);
    expect((await ban(false)).body.data.share.status).toBe(0);
    for (const [name, call] of Object.entries(visitor)) expect((await call()).status, name).toBe(200);
  });

  it("disables a user: tokens 401 200005 at once, login refused, shares 403 200006, files kept; enabling restores all", async () => {
    const disable = (disabled: boolean) => post("/admin/v1/user/disable", admin.token, { mobile: alice.mobile, disabled });
    expect((await disable(true)).body.data.user.disabled).toBe(true);
    expect(await info(alice.token)).toMatchObject({ status: 401, body: { code: 200005 } });
    expect(await login(alice.mobile, alice.password)).toMatchObject({ status: 401, body: { code: 200005 } });
    expect(await post("/share/v1/share/validate", undefined, { identity: shareId })).toMatchObject({ status: 403, body: { code: 200006 } });
    expect(await post("/admin/v1/user/disable", admin.token, { mobile: admin.mobile })).toMatchObject({
      status: 409,
      body: { code: 600001 },
    });
    await disable(false);
    expect((await info(alice.token)).status).toBe(200);
    expect((await post("/share/v1/share/validate", undefined, { identity: shareId })).status).toBe(200);
    expect((await get("/file/v1/file/list", alice.token)).body.data.list.map((f: { name: string }) => f.name)).toEqual(["report.bin"]);
  });

  it("resets a password to a one-time one, signing the user out; records every action in the audit log", async () => {
    const old = (await login(bob.mobile, "correct-horse")).body.data.accessToken;
    const reset = await post("/admin/v1/user/password-reset", admin.token, { mobile: bob.mobile });
    const { password } = reset.body.data;
    expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
    expect((await info(old)).status).toBe(401);
    expect((await login(bob.mobile, "correct-horse")).status).toBe(401);
    bob.token = (await login(bob.mobile, password)).body.data.accessToken;
    expect((await info(bob.token)).status).toBe(200);
    const audit = (await get("/admin/v1/audit", admin.token)).body.data;
    expect(audit.list.map((a: { action: string; target: string }) => `${a.action} ${a.target}`)).toEqual([
      `user.password-reset ${bob.mobile}`,
      `user.enable ${alice.mobile}`,
      `user.disable ${alice.mobile}`,
      `share.unban ${shareId}`,
      `share.ban ${shareId}`,
      `user.quota ${alice.mobile}`,
      `user.quota ${alice.mobile}`,
      `user.quota ${alice.mobile}`,
    ]);
    expect(audit.list.every((a: { actorMobile: string }) => a.actorMobile === admin.mobile)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(password);
  });
});

describe("accounts", () => {
  it("changes the password: the old one is checked, every other token is signed out, the caller gets a new one", async () => {
    const other = (await login(alice.mobile, alice.password)).body.data.accessToken;
    const change = (oldPassword: string) => post("/usercenter/v1/user/password", alice.token, { oldPassword, newPassword: "new-secret-2" });
    expect(await change("not-it")).toMatchObject({ status: 403, body: { code: 200007 } });
    expect(await post("/usercenter/v1/user/password", alice.token, { oldPassword: alice.password, newPassword: "12345" })).toMatchObject({
      status: 400,
      body: { code: 100002 },
    });
    const changed = await change(alice.password);
    expect(changed.status).toBe(200);
    for (const stale of [alice.token, other]) expect(await info(stale)).toMatchObject({ status: 401, body: { code: 100003 } });
    alice = { ...alice, token: changed.body.data.accessToken, password: "new-secret-2" };
    expect((await info(alice.token)).status).toBe(200);
    expect((await login(alice.mobile, "new-secret-2")).status).toBe(200);
  });

  it("signs out one token, then every token; a change made elsewhere is seen within AUTH_CACHE_SECONDS", async () => {
    const first = (await login(alice.mobile, alice.password)).body.data.accessToken;
    const second = (await login(alice.mobile, alice.password)).body.data.accessToken;
    expect((await post("/usercenter/v1/user/logout", first, {})).body.data).toEqual({ all: false });
    expect((await info(first)).status).toBe(401);
    expect((await info(second)).status).toBe(200);
    expect((await post("/usercenter/v1/user/logout", second, { all: true })).body.data).toEqual({ all: true });
    for (const t of [second, alice.token]) expect((await info(t)).status).toBe(401);

    // Another process revokes (the version rises in the database, this process's cache is not told).
    const third = (await login(alice.mobile, alice.password)).body.data.accessToken;
    expect((await info(third)).status).toBe(200);
    await app.deps.db
      .updateTable("users")
      .set((eb) => ({ token_version: eb("token_version", "+", 1) }))
      .where("mobile", "=", alice.mobile)
      .execute();
    // Asked every 50 ms for up to 5 s: refused once the cached read (1 s) has run out, however fast the requests are.
    let status = 200;
    for (let i = 0; i < 100 && status === 200; i++) {
      await setTimeout(50);
      status = (await info(third)).status;
    }
    expect(status).toBe(401);
    alice.token = (await login(alice.mobile, alice.password)).body.data.accessToken;
  });

  it("changes the display name and the avatar (an image of the drive), and refuses what is not one", async () => {
    const png = Buffer.concat([Buffer.from("89504e470d0a1a0a", "hex"), bytes(200, 7)]);
    const image = await uploadFile(app, alice.token, png, { name: "me.png", mimeType: "image/png" });
    const profile = (body: unknown) => post("/usercenter/v1/user/profile", alice.token, body);
    const set = await profile({ name: "Alice", avatar: image });
    expect(set.body.data.userInfo).toMatchObject({ name: "Alice", avatarIdentity: image });
    const served = await fetch(set.body.data.userInfo.avatar);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    expect(await profile({ avatar: aliceFile })).toMatchObject({ status: 400, body: { code: 200009 } });
    const bobsFile = (await get("/file/v1/file/list", bob.token)).body.data.list[0].identity;
    expect(await profile({ avatar: bobsFile })).toMatchObject({ status: 404, body: { code: 300001 } });
    expect((await profile({ avatar: "" })).body.data.userInfo).toMatchObject({ name: "Alice", avatar: "", avatarIdentity: "" });
  });
});
