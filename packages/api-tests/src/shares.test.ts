import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, listNames, quota, sha256, startTestApp, uploadFile, type TestApp } from "./support";

let app: TestApp;
beforeAll(async () => {
  // Jobs run only when a test drives them.
  app = await startTestApp({ JOB_POLL_MS: String(3600_000) });
});
afterAll(() => app?.close());

const S = "/share/v1/share";
const post = (token: string | undefined, path: string, body: unknown) => app.call("POST", `${S}${path}`, { token, body });
const get = (path: string, query: Record<string, unknown>, token?: string) => app.call("GET", `${S}${path}`, { query, token });
const codeShape = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$/;

async function share(token: string, fileIdentity: string, options: { hasCode?: boolean; expiredType?: number } = {}) {
  const res = await post(token, "/create", { fileIdentity, expiredType: options.expiredType ?? 0, hasCode: options.hasCode ?? false });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data as { identity: string; code: string; url: string; expiredTime: number };
}

async function tokenFor(identity: string, code?: string) {
  const res = await post(undefined, "/validate", { identity, code });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.shareToken as string;
}

const shareRow = (identity: string) =>
  app.deps.db.selectFrom("shares").selectAll().where("identity", "=", identity).executeTakeFirstOrThrow();
const userIdOf = async (fileIdentity: string) =>
  (await app.deps.db.selectFrom("files").select("user_id").where("identity", "=", fileIdentity).executeTakeFirstOrThrow()).user_id;
const refCount = async (content: Buffer) =>
  (await app.deps.db.selectFrom("blobs").select("ref_count").where("sha256", "=", sha256(content)).executeTakeFirstOrThrow()).ref_count;

/** A POST from another loopback address, as a second client would send it. */
function postFrom(localAddress: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const url = new URL(`${app.url}${S}${path}`);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress,
        headers: { ...headers, "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** Owner's drive: Parent/{Shared/{a.txt, Sub/{b.txt, Deep/{c.txt}}}, Sibling/{s.txt}}, secret.txt */
async function driveWithSharedFolder() {
  const owner = await app.signUp();
  const parent = await createFolder(app, owner.token, "Parent");
  const shared = await createFolder(app, owner.token, "Shared", parent);
  const sub = await createFolder(app, owner.token, "Sub", shared);
  const deep = await createFolder(app, owner.token, "Deep", sub);
  const sibling = await createFolder(app, owner.token, "Sibling", parent);
  const content = { a: bytes(300, 11), b: bytes(200, 12), c: bytes(100, 13), s: bytes(50, 14), secret: bytes(40, 15) };
  const a = await uploadFile(app, owner.token, content.a, { name: "a.txt", parentId: shared });
  const b = await uploadFile(app, owner.token, content.b, { name: "b.txt", parentId: sub });
  const c = await uploadFile(app, owner.token, content.c, { name: "c.txt", parentId: deep });
  const s = await uploadFile(app, owner.token, content.s, { name: "s.txt", parentId: sibling });
  const secret = await uploadFile(app, owner.token, content.secret, { name: "secret.txt" });
  return { owner, ids: { parent, shared, sub, deep, sibling, a, b, c, s, secret }, content };
}

describe("share lifecycle", () => {
  it("creates, lists, validates, browses, downloads, saves, updates and cancels", async () => {
    const { owner, ids, content } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared, { hasCode: true, expiredType: 7 });
    expect(created.code).toMatch(codeShape);
    // PUBLIC_URL unset: links follow the address the server is bound to.
    expect(created.url).toBe(`${app.deps.config.PUBLIC_URL}/s/${created.identity}`);
    if (process.env.POLARIS_TEST_PROFILE !== "parity") expect(created.url).toBe(`${app.url}/s/${created.identity}`);
    expect(created.expiredTime - Math.floor(Date.now() / 1000)).toBeGreaterThan(7 * 86400 - 60);
    expect(await app.jobs.get(`share-expire-${created.identity}`)).toMatchObject({ type: "share.expire" });

    const listed = await app.call("GET", `${S}/list`, { token: owner.token });
    expect(listed.body.data).toMatchObject({
      total: 1,
      list: [
        {
          identity: created.identity,
          fileIdentity: ids.shared,
          fileName: "Shared",
          isDir: true,
          code: created.code,
          clickNum: 0,
          saveNum: 0,
          status: 0,
        },
      ],
    });

    // The code is needed, wrong codes are refused, the right one works in any case.
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 403, body: { code: 400003 } });
    const wrong = created.code === "AAAA" ? "BBBB" : "AAAA";
    expect(await post(undefined, "/validate", { identity: created.identity, code: wrong })).toMatchObject({
      status: 403,
      body: { code: 400003 },
    });
    const validated = await post(undefined, "/validate", { identity: created.identity, code: created.code.toLowerCase() });
    expect(validated.status).toBe(200);
    expect(validated.body.data.share).toEqual({
      identity: created.identity,
      fileName: "Shared",
      isDir: true,
      size: 0,
      // Accounts are named after their mobile by default: the public page masks it.
      sharerName: `${owner.mobile.slice(0, 3)}****${owner.mobile.slice(-4)}`,
      expiredTime: created.expiredTime,
      previewOnly: false,
    });
    const shareToken = validated.body.data.shareToken as string;
    expect((await shareRow(created.identity)).click_num).toBe(1);

    // Browse level by level, with the token or the code.
    const top = await get("/detail", { identity: created.identity, shareToken });
    expect(top.status).toBe(200);
    expect(top.body.data.file).toMatchObject({ identity: ids.shared, name: "Shared", parentId: "0" });
    expect(top.body.data.children.map((f: { name: string }) => f.name)).toEqual(["Sub", "a.txt"]);
    expect(top.body.data.path).toEqual([{ identity: ids.shared, name: "Shared" }]);
    const deep = await get("/detail", { identity: created.identity, code: created.code, parentId: ids.deep });
    expect(deep.body.data.path.map((p: { name: string }) => p.name)).toEqual(["Shared", "Sub", "Deep"]);
    expect(deep.body.data.children).toMatchObject([{ identity: ids.c, name: "c.txt", parentId: ids.deep }]);
    expect(await get("/detail", { identity: created.identity, parentId: ids.sub })).toMatchObject({ status: 403, body: { code: 400003 } });

    const link = await get("/download", { identity: created.identity, shareToken, fileIdentity: ids.c });
    expect(link.status).toBe(200);
    expect(Buffer.from(await (await fetch(link.body.data.url)).arrayBuffer())).toEqual(content.c);

    // Another user saves the whole share into their drive.
    const saver = await app.signUp();
    const saved = await post(saver.token, "/save", { identity: created.identity, shareToken, fileIdentities: [ids.shared] });
    expect(saved).toMatchObject({ status: 200, body: { data: { savedCount: 6 } } });
    expect(await listNames(app, saver.token)).toEqual(["Shared"]);
    expect((await shareRow(created.identity)).save_num).toBe(1);

    // A new code revokes the tokens issued for the old one; the new expiry counts from now.
    const updated = await post(owner.token, "/update", { identity: created.identity, code: "k7m2", expiredType: 0 });
    expect(updated.body.data.share).toMatchObject({
      identity: created.identity,
      code: "K7M2",
      expiredTime: 0,
      status: 0,
      clickNum: 1,
      saveNum: 1,
    });
    expect(await app.jobs.get(`share-expire-${created.identity}`)).toBeUndefined();
    expect(await get("/detail", { identity: created.identity, shareToken })).toMatchObject({ status: 401, body: { code: 100003 } });
    expect(await get("/detail", { identity: created.identity, code: "K7M2" })).toMatchObject({ status: 200 });
    const removed = await post(owner.token, "/update", { identity: created.identity, code: "" });
    expect(removed.body.data.share.code).toBe("");
    expect(await get("/detail", { identity: created.identity })).toMatchObject({ status: 200 });

    expect(await post(owner.token, "/cancel", { identities: [created.identity] })).toMatchObject({
      status: 200,
      body: { data: { cancelledCount: 1 } },
    });
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 410, body: { code: 400004 } });
    expect(await get("/detail", { identity: created.identity })).toMatchObject({ status: 410, body: { code: 400004 } });
    expect(await post(owner.token, "/update", { identity: created.identity, expiredType: 7 })).toMatchObject({
      status: 410,
      body: { code: 400004 },
    });
    expect((await app.call("GET", `${S}/list`, { token: owner.token })).body.data.list[0].status).toBe(2);
    // Cancelling again changes nothing.
    expect(await post(owner.token, "/cancel", { identities: [created.identity] })).toMatchObject({
      status: 200,
      body: { data: { cancelledCount: 0 } },
    });

    const events = await app.deps.db
      .selectFrom("outbox")
      .select(["type", "payload"])
      .where("type", "like", "share.%")
      .orderBy("id")
      .execute();
    const mine = events.filter((e) => JSON.stringify(e.payload).includes(created.identity)).map((e) => e.type);
    expect(mine).toEqual(["share.created", "share.saved", "share.updated", "share.updated", "share.cancelled"]);
  });

  it("shares a single file: detail without children, download of the file itself", async () => {
    const owner = await app.signUp();
    const content = bytes(1234, 21);
    const file = await uploadFile(app, owner.token, content, { name: "report.pdf", mimeType: "application/pdf" });
    const created = await share(owner.token, file, { expiredType: 1 });
    expect(created.code).toBe("");
    const validated = await post(undefined, "/validate", { identity: created.identity });
    expect(validated.body.data.share).toMatchObject({ fileName: "report.pdf", isDir: false, size: 1234 });
    const detail = await get("/detail", { identity: created.identity });
    expect(detail.body.data).toMatchObject({
      file: { identity: file, parentId: "0", size: 1234 },
      path: [{ identity: file, name: "report.pdf" }],
    });
    expect(detail.body.data.children).toBeUndefined();
    const link = await get("/download", { identity: created.identity });
    expect(Buffer.from(await (await fetch(link.body.data.url)).arrayBuffer())).toEqual(content);
    expect((await get("/download", { identity: created.identity, fileIdentity: file })).status).toBe(200);
  });

  it("refuses bad input with the field named, and shares only one's own active items", async () => {
    const owner = await app.signUp();
    const folder = await createFolder(app, owner.token, "f");
    const bad = await post(owner.token, "/create", { fileIdentity: folder, expiredType: 5, hasCode: true });
    expect(bad).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(bad.body.msg).toContain("expiredType");
    const created = await share(owner.token, folder);
    for (const code of ["0O1I", "ABC", "ABCDE", "AB L"]) {
      const res = await post(owner.token, "/update", { identity: created.identity, code });
      expect(res, code).toMatchObject({ status: 400, body: { code: 100002 } });
      expect(res.body.msg).toContain("code");
    }
    expect(await post(owner.token, "/update", { identity: created.identity })).toMatchObject({ status: 400, body: { code: 100002 } });
    const other = await app.signUp();
    expect(await post(other.token, "/create", { fileIdentity: folder, expiredType: 0, hasCode: false })).toMatchObject({
      status: 404,
      body: { code: 300001 },
    });
    await app.call("POST", "/file/v1/file/delete", { token: owner.token, body: { identities: [folder] } });
    expect(await post(owner.token, "/create", { fileIdentity: folder, expiredType: 0, hasCode: false })).toMatchObject({
      status: 404,
      body: { code: 300001 },
    });
    expect(await get("/detail", { identity: crypto.randomUUID() })).toMatchObject({ status: 404, body: { code: 400001 } });
    expect(await get("/detail", { identity: "not-a-uuid" })).toMatchObject({ status: 400, body: { code: 100002 } });
  });
});

describe("shares of other users", () => {
  it("cannot be updated, cancelled or listed by anyone but the owner", async () => {
    const owner = await app.signUp();
    const theirs = await share(owner.token, await createFolder(app, owner.token, "theirs"), { hasCode: true });
    const stranger = await app.signUp();
    const mine = await share(stranger.token, await createFolder(app, stranger.token, "mine"));
    // Someone else's share is as missing as one nobody has (see authz-matrix.test.ts).
    expect(await post(stranger.token, "/update", { identity: theirs.identity, code: "" })).toMatchObject({
      status: 404,
      body: { code: 400001 },
    });
    expect(await post(stranger.token, "/cancel", { identities: [theirs.identity] })).toMatchObject({ status: 404, body: { code: 400001 } });
    // All or nothing: one foreign share in the list cancels none of them.
    expect(await post(stranger.token, "/cancel", { identities: [mine.identity, theirs.identity] })).toMatchObject({
      status: 404,
      body: { code: 400001 },
    });
    expect(await post(stranger.token, "/update", { identity: crypto.randomUUID(), code: "" })).toMatchObject({
      status: 404,
      body: { code: 400001 },
    });
    expect(await post(stranger.token, "/cancel", { identities: [mine.identity, crypto.randomUUID()] })).toMatchObject({
      status: 404,
      body: { code: 400001 },
    });
    expect((await shareRow(mine.identity)).status).toBe(0);
    expect((await shareRow(theirs.identity)).code).toBe(theirs.code);
    const list = await app.call("GET", `${S}/list`, { token: stranger.token });
    expect(list.body.data.list.map((s: { identity: string }) => s.identity)).toEqual([mine.identity]);
    expect(await app.call("GET", `${S}/list`)).toMatchObject({ status: 401, body: { code: 100003 } });
  });
});

describe("a folder share stays inside its folder", () => {
  it("never exposes a sibling or a parent via parentId, fileIdentity or a guessed identity", async () => {
    const { owner, ids } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared);
    const stranger = await app.signUp();
    const foreign = await uploadFile(app, stranger.token, bytes(10, 31), { name: "foreign.txt" });
    const outside = [ids.parent, ids.sibling, ids.s, ids.secret, foreign, crypto.randomUUID()];
    const notFound = { status: 404, body: { code: 300001, msg: "no such item in this share" } };
    for (const identity of outside) {
      expect(await get("/detail", { identity: created.identity, parentId: identity }), identity).toEqual(notFound);
      expect(await get("/download", { identity: created.identity, fileIdentity: identity }), identity).toEqual(notFound);
      expect(await post(stranger.token, "/save", { identity: created.identity, fileIdentities: [identity] }), identity).toEqual(notFound);
    }
    // A folder is no download, a file is no folder, and a mix with one outsider saves nothing.
    expect(await get("/download", { identity: created.identity, fileIdentity: ids.sub })).toEqual(notFound);
    expect(await get("/download", { identity: created.identity })).toEqual(notFound);
    expect(await get("/detail", { identity: created.identity, parentId: ids.a })).toEqual(notFound);
    expect(await post(stranger.token, "/save", { identity: created.identity, fileIdentities: [ids.a, ids.secret] })).toEqual(notFound);
    expect(await listNames(app, stranger.token)).toEqual(["foreign.txt"]);
    // Nothing above the shared folder shows up anywhere in what the visitor sees.
    const seen = JSON.stringify([
      await get("/detail", { identity: created.identity }),
      await get("/detail", { identity: created.identity, parentId: ids.sub }),
      await post(undefined, "/validate", { identity: created.identity }),
    ]);
    for (const hidden of [ids.parent, ids.sibling, ids.secret, "Parent", "Sibling"]) expect(seen).not.toContain(hidden);
    // A token of one share opens no other share.
    const other = await share(owner.token, ids.sibling, { hasCode: true });
    const token = await tokenFor(created.identity);
    expect(await get("/detail", { identity: other.identity, shareToken: token })).toMatchObject({ status: 401, body: { code: 100003 } });
    // Nor does an access token.
    expect(await get("/detail", { identity: other.identity, shareToken: owner.token })).toMatchObject({
      status: 401,
      body: { code: 100003 },
    });
  });

  it("hides items trashed inside the share while the share goes on working", async () => {
    const { owner, ids } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared);
    await app.call("POST", "/file/v1/file/delete", { token: owner.token, body: { identities: [ids.sub] } });
    expect((await get("/detail", { identity: created.identity })).body.data.children.map((f: { name: string }) => f.name)).toEqual([
      "a.txt",
    ]);
    expect(await get("/detail", { identity: created.identity, parentId: ids.sub })).toMatchObject({ status: 404, body: { code: 300001 } });
    expect(await get("/download", { identity: created.identity, fileIdentity: ids.b })).toMatchObject({
      status: 404,
      body: { code: 300001 },
    });
  });
});

describe("saving a share", () => {
  it("reproduces a nested tree without copying bytes, with ' (1)' on a clash", async () => {
    const { owner, ids, content } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared, { hasCode: true });
    const saver = await app.signUp();
    await createFolder(app, saver.token, "Shared");
    const target = await createFolder(app, saver.token, "Inbox");
    await createFolder(app, saver.token, "Shared", target);
    const before = { a: await refCount(content.a), b: await refCount(content.b), c: await refCount(content.c) };
    const objects = await app.deps.db
      .selectFrom("blobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();

    const res = await post(saver.token, "/save", {
      identity: created.identity,
      code: created.code,
      fileIdentities: [ids.shared],
      targetFolderId: target,
    });
    expect(res).toMatchObject({ status: 200, body: { data: { savedCount: 6 } } });
    expect(await listNames(app, saver.token, target)).toEqual(["Shared", "Shared (1)"]);
    const folderId = async (parent: string, name: string) => {
      const list = await app.call("GET", "/file/v1/file/list", { token: saver.token, query: { parentId: parent } });
      return list.body.data.list.find((f: { name: string }) => f.name === name).identity as string;
    };
    const copy = await folderId(target, "Shared (1)");
    expect(await listNames(app, saver.token, copy)).toEqual(["Sub", "a.txt"]);
    const sub = await folderId(copy, "Sub");
    expect(await listNames(app, saver.token, sub)).toEqual(["Deep", "b.txt"]);
    expect(await listNames(app, saver.token, await folderId(sub, "Deep"))).toEqual(["c.txt"]);

    expect({ a: await refCount(content.a), b: await refCount(content.b), c: await refCount(content.c) }).toEqual({
      a: before.a + 1,
      b: before.b + 1,
      c: before.c + 1,
    });
    expect(
      await app.deps.db
        .selectFrom("blobs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow(),
    ).toEqual(objects);
    expect((await quota(app, saver.token)).usedSize).toBe(600);
    const savedC = await app.deps.db
      .selectFrom("files")
      .select("identity")
      .where("user_id", "=", await userIdOf(target))
      .where("name", "=", "c.txt")
      .executeTakeFirstOrThrow();
    const link = await app.call("GET", "/file/v1/file/download", { token: saver.token, query: { identity: savedC.identity } });
    expect(Buffer.from(await (await fetch(link.body.data.url)).arrayBuffer())).toEqual(content.c);

    // Picked items at different levels: the ones below a picked folder come with it once.
    const partial = await post(saver.token, "/save", {
      identity: created.identity,
      code: created.code,
      fileIdentities: [ids.a, ids.deep, ids.c],
    });
    expect(partial.body.data.savedCount).toBe(3);
    expect(await listNames(app, saver.token)).toEqual(["Deep", "Inbox", "Shared", "a.txt"]);
  });

  it("checks the saver's quota for the whole set first: over it, nothing is saved", async () => {
    const { owner, ids, content } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared);
    const saver = await app.signUp();
    const saverId = await userIdOf(await createFolder(app, saver.token, "mine"));
    await app.deps.db.updateTable("users").set({ quota_total: 599 }).where("id", "=", saverId).execute();
    const refs = await refCount(content.c);
    const filesBefore = await app.deps.db.selectFrom("files").select("id").where("user_id", "=", saverId).execute();

    expect(await post(saver.token, "/save", { identity: created.identity, fileIdentities: [ids.shared] })).toMatchObject({
      status: 403,
      body: { code: 200004 },
    });
    expect(await app.deps.db.selectFrom("files").select("id").where("user_id", "=", saverId).execute()).toEqual(filesBefore);
    expect(await refCount(content.c)).toBe(refs);
    expect(await quota(app, saver.token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
    expect((await shareRow(created.identity)).save_num).toBe(0);
    // What fits is saved.
    expect(await post(saver.token, "/save", { identity: created.identity, fileIdentities: [ids.sub] })).toMatchObject({
      status: 200,
      body: { data: { savedCount: 4 } },
    });
    expect((await quota(app, saver.token)).usedSize).toBe(300);
  });

  it("lets the owner save their own share without its code, but not into itself", async () => {
    const { owner, ids } = await driveWithSharedFolder();
    const created = await share(owner.token, ids.shared, { hasCode: true });
    expect(
      await post(owner.token, "/save", { identity: created.identity, fileIdentities: [ids.shared], targetFolderId: ids.sub }),
    ).toMatchObject({ status: 400, body: { code: 300015 } });
    expect(
      await post(owner.token, "/save", { identity: created.identity, fileIdentities: [ids.shared], targetFolderId: ids.parent }),
    ).toMatchObject({ status: 200, body: { data: { savedCount: 6 } } });
    expect(await listNames(app, owner.token, ids.parent)).toEqual(["Shared", "Shared (1)", "Sibling"]);
    const stranger = await app.signUp();
    expect(await post(stranger.token, "/save", { identity: created.identity, fileIdentities: [ids.a] })).toMatchObject({
      status: 403,
      body: { code: 400003 },
    });
    expect(await post(undefined, "/save", { identity: created.identity, fileIdentities: [ids.a] })).toMatchObject({
      status: 401,
      body: { code: 100003 },
    });
  });
});

describe("expiry, cancel, ban and the shared file's fate", () => {
  it("answers 410 400002 as soon as the time is past, and the job marks the share expired", async () => {
    const owner = await app.signUp();
    const file = await uploadFile(app, owner.token, bytes(10, 41), { name: "e.txt" });
    const created = await share(owner.token, file, { expiredType: 1 });
    const token = await tokenFor(created.identity);
    const job = `share-expire-${created.identity}`;

    // A due job whose share is not yet past its time changes nothing.
    await app.jobs.makeDue(job);
    await app.background.runDueJobs();
    expect((await shareRow(created.identity)).status).toBe(0);

    await app.deps.db
      .updateTable("shares")
      .set({ expired_at: new Date(Date.now() - 1000) })
      .where("identity", "=", created.identity)
      .execute();
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 410, body: { code: 400002 } });
    expect(await get("/detail", { identity: created.identity, shareToken: token })).toMatchObject({ status: 410, body: { code: 400002 } });
    expect(await get("/download", { identity: created.identity, shareToken: token })).toMatchObject({
      status: 410,
      body: { code: 400002 },
    });
    expect(await post(owner.token, "/update", { identity: created.identity, expiredType: 30 })).toMatchObject({
      status: 410,
      body: { code: 400002 },
    });
    // The owner's list shows it expired before the job ran.
    expect((await shareRow(created.identity)).status).toBe(0);
    expect((await app.call("GET", `${S}/list`, { token: owner.token })).body.data.list[0].status).toBe(3);

    await app.jobs.scheduleDue({ name: job, type: "share.expire", payload: { shareIdentity: created.identity } });
    await app.background.runDueJobs();
    expect((await shareRow(created.identity)).status).toBe(3);
    expect(await app.jobs.get(job)).toBeUndefined();
  });

  it("answers 403 400005 for a banned share", async () => {
    const owner = await app.signUp();
    const created = await share(owner.token, await createFolder(app, owner.token, "b"));
    await app.deps.db.updateTable("shares").set({ status: 1 }).where("identity", "=", created.identity).execute();
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 403, body: { code: 400005 } });
    expect(await post(owner.token, "/cancel", { identities: [created.identity] })).toMatchObject({
      status: 200,
      body: { data: { cancelledCount: 0 } },
    });
  });

  it("stops at once when the shared file is trashed, works again when it is restored, and not after a purge", async () => {
    const owner = await app.signUp();
    const folder = await createFolder(app, owner.token, "will-trash");
    const inner = await uploadFile(app, owner.token, bytes(20, 51), { name: "in.txt", parentId: folder });
    const created = await share(owner.token, folder);
    const token = await tokenFor(created.identity);
    const trash = (path: string) => app.call("POST", `/file/v1/${path}`, { token: owner.token, body: { identities: [folder] } });

    await trash("file/delete");
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 404, body: { code: 400006 } });
    expect(await get("/detail", { identity: created.identity, shareToken: token })).toMatchObject({ status: 404, body: { code: 400006 } });
    expect(await get("/download", { identity: created.identity, shareToken: token, fileIdentity: inner })).toMatchObject({
      status: 404,
      body: { code: 400006 },
    });
    const saver = await app.signUp();
    expect(await post(saver.token, "/save", { identity: created.identity, shareToken: token, fileIdentities: [inner] })).toMatchObject({
      status: 404,
      body: { code: 400006 },
    });

    await trash("trash/restore");
    expect(await get("/detail", { identity: created.identity, shareToken: token })).toMatchObject({ status: 200 });
    expect(await get("/download", { identity: created.identity, shareToken: token, fileIdentity: inner })).toMatchObject({ status: 200 });

    await trash("file/delete");
    await trash("trash/delete");
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 404, body: { code: 400006 } });
  });

  it("stays cancelled after a restore", async () => {
    const owner = await app.signUp();
    const file = await uploadFile(app, owner.token, bytes(15, 61), { name: "c.txt" });
    const created = await share(owner.token, file);
    await app.call("POST", "/file/v1/file/delete", { token: owner.token, body: { identities: [file] } });
    await post(owner.token, "/cancel", { identities: [created.identity] });
    await app.call("POST", "/file/v1/trash/restore", { token: owner.token, body: { identities: [file] } });
    expect(await post(undefined, "/validate", { identity: created.identity })).toMatchObject({ status: 410, body: { code: 400004 } });
  });
});

describe("wrong codes", () => {
  it("are throttled per share and client address: then even the right code waits, other shares do not", async () => {
    const owner = await app.signUp();
    const target = await share(owner.token, await createFolder(app, owner.token, "target"), { hasCode: true });
    const other = await share(owner.token, await createFolder(app, owner.token, "other"), { hasCode: true });
    const tokenBefore = await tokenFor(target.identity, target.code);
    const wrong = target.code === "AAAA" ? "BBBB" : "AAAA";
    for (let i = 0; i < 5; i++) {
      expect(await post(undefined, "/validate", { identity: target.identity, code: wrong })).toMatchObject({
        status: 403,
        body: { code: 400003 },
      });
    }
    expect(await post(undefined, "/validate", { identity: target.identity, code: wrong })).toMatchObject({
      status: 429,
      body: { code: 100007 },
    });
    expect(await post(undefined, "/validate", { identity: target.identity, code: target.code })).toMatchObject({
      status: 429,
      body: { code: 100007 },
    });
    expect(await get("/detail", { identity: target.identity, code: target.code })).toMatchObject({ status: 429, body: { code: 100007 } });
    expect(await post(undefined, "/validate", { identity: other.identity, code: other.code })).toMatchObject({ status: 200 });
    // Who got in before keeps their token; the owner still saves; another address still gets in.
    expect(await get("/detail", { identity: target.identity, shareToken: tokenBefore })).toMatchObject({ status: 200 });
    const folder = (await shareRow(target.identity)).file_id;
    const folderIdentity = (await app.deps.db.selectFrom("files").select("identity").where("id", "=", folder).executeTakeFirstOrThrow())
      .identity;
    expect(await post(owner.token, "/save", { identity: target.identity, fileIdentities: [folderIdentity] })).toMatchObject({
      status: 200,
    });
    expect(await postFrom("127.0.0.2", "/validate", { identity: target.identity, code: target.code })).toMatchObject({ status: 200 });
  });

  it("lock out only the address that guesses, even 25 in parallel: other clients and the owner get in", async () => {
    const owner = await app.signUp();
    const target = await share(owner.token, await createFolder(app, owner.token, "guessed"), { hasCode: true });
    const wrong = target.code === "AAAA" ? "BBBB" : "AAAA";
    const burst = await Promise.all(
      Array.from({ length: 25 }, () => postFrom("127.0.0.30", "/validate", { identity: target.identity, code: wrong })),
    );
    // Each check takes its attempt first: no more than the address's 5 are compared.
    expect(burst.filter((r) => r.status === 403 && r.body.code === 400003)).toHaveLength(5);
    expect(burst.filter((r) => r.status === 429 && r.body.code === 100007)).toHaveLength(20);
    // The guesser is refused the right code too: a refusal for wrong codes alone would tell it which code is right.
    expect(await postFrom("127.0.0.30", "/validate", { identity: target.identity, code: target.code })).toMatchObject({
      status: 429,
      body: { code: 100007 },
    });
    expect(await postFrom("127.0.0.31", "/validate", { identity: target.identity, code: target.code })).toMatchObject({ status: 200 });
    // The owner, signed in, needs no code and is never throttled, whatever code they type.
    for (const code of [undefined, wrong, target.code]) {
      expect(await post(owner.token, "/validate", { identity: target.identity, code })).toMatchObject({ status: 200 });
    }
    // A token that is sent must be valid.
    expect(await post("not-a-token", "/validate", { identity: target.identity, code: target.code })).toMatchObject({
      status: 401,
      body: { code: 100003 },
    });
  });

  it("are counted by the connection's address: a client cannot pose as others with X-Forwarded-For", async () => {
    const owner = await app.signUp();
    const target = await share(owner.token, await createFolder(app, owner.token, "forwarded"), { hasCode: true });
    const wrong = target.code === "AAAA" ? "BBBB" : "AAAA";
    const tries = [];
    for (let i = 0; i < 6; i++) {
      const forwarded = { "x-forwarded-for": `198.51.100.${i}`, "x-real-ip": `198.51.100.${i}`, forwarded: `for=198.51.100.${i}` };
      tries.push((await postFrom("127.0.0.35", "/validate", { identity: target.identity, code: wrong }, forwarded)).status);
    }
    expect(tries).toEqual([403, 403, 403, 403, 403, 429]);
  });

  it("from many addresses slow the search to one check per address, never refusing the right code to a fresh one", async () => {
    const owner = await app.signUp();
    const target = await share(owner.token, await createFolder(app, owner.token, "searched"), { hasCode: true });
    const wrong = target.code === "AAAA" ? "BBBB" : "AAAA";
    // 20 addresses × 5 wrong codes reach the share's ceiling of 100 without any address hitting its own limit.
    for (let a = 40; a < 60; a++) {
      for (let i = 0; i < 5; i++) {
        expect(await postFrom(`127.0.0.${a}`, "/validate", { identity: target.identity, code: wrong })).toMatchObject({
          status: 403,
          body: { code: 400003 },
        });
      }
    }
    // Under search, an address gets one check per hour: a wrong guess uses it up.
    expect(await postFrom("127.0.0.60", "/validate", { identity: target.identity, code: wrong })).toMatchObject({
      status: 403,
      body: { code: 400003 },
    });
    expect(await postFrom("127.0.0.60", "/validate", { identity: target.identity, code: target.code })).toMatchObject({
      status: 429,
      body: { code: 100007 },
    });
    // Someone who holds the code gets in, again and again; the owner too.
    for (let i = 0; i < 3; i++) {
      expect(await postFrom("127.0.0.61", "/validate", { identity: target.identity, code: target.code })).toMatchObject({ status: 200 });
    }
    expect(await post(owner.token, "/validate", { identity: target.identity })).toMatchObject({ status: 200 });
    // A new code starts afresh.
    await post(owner.token, "/update", { identity: target.identity, code: "HJK9" });
    expect(await postFrom("127.0.0.60", "/validate", { identity: target.identity, code: "hjk9" })).toMatchObject({ status: 200 });
  });
});
