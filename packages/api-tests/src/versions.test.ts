import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, instantUpload, sha256, startTestApp, upload, uploadFile, type TestApp } from "./support";

/**
 * File versions through HTTP: uploads' onConflict choice, the version list, download, restore and
 * delete, how trash, copy and purge carry versions, retention by the version.prune job, and the
 * accounting (blob references, quota, objects) under parallel version changes.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ VERSION_KEEP_COUNT: "2", VERSION_KEEP_DAYS: "1" });
});
afterAll(() => app?.close());

const db = () => app.deps.db;
const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });
const get = (token: string, path: string, query: Record<string, unknown>) => app.call("GET", path, { token, query });
const versionsOf = async (token: string, identity: string) => (await get(token, "/file/v1/file/versions", { identity })).body.data.list;
const quota = async (token: string) => (await get(token, "/usercenter/v1/user/quota", {})).body.data;
/** The folder's names, sorted here (the listing's own order is not what these tests are about). */
const names = async (token: string, parentId?: string) =>
  (await get(token, "/file/v1/file/list", { parentId })).body.data.list.map((f: { name: string }) => f.name).sort();
const fetchBytes = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

const instant = (token: string, content: Buffer, name: string, onConflict?: string) =>
  instantUpload(app, token, content, { name, onConflict });

const pruneJobsOf = async (fileIdentity: string) =>
  (await app.jobs.list()).filter((j) => j.type === "version.prune" && j.payload.fileIdentity === fileIdentity);

/**
 * Runs the files' prune jobs now, and any the uploads scheduled, until none is due (the background
 * timer may be running them meanwhile: the end state is the same).
 */
async function prune(fileIdentities: string[]) {
  for (const fileIdentity of fileIdentities) {
    await app.jobs.scheduleDue({ name: `version-prune-${fileIdentity}`, type: "version.prune", payload: { fileIdentity } });
  }
  for (let round = 0; round < 10; round++) {
    await app.background.runDueJobs();
    await app.background.idle();
    const due = (await Promise.all(fileIdentities.map(pruneJobsOf))).flat().filter((j) => j.runAt.getTime() <= Date.now());
    if (!due.length) return;
  }
  throw new Error("prune jobs still due after ten rounds");
}

/**
 * The accounting invariants for the users: each blob's count is its active or trashed files plus its
 * previous versions, and its object exists; a blob nobody references has no row and no object
 * (`gone`); quota used is the files' bytes plus the previous versions' bytes, nothing reserved.
 */
async function expectExactAccounting(userIds: number[], gone: string[] = []) {
  await app.background.idle();
  const blobs = await db().selectFrom("blobs").selectAll().execute();
  for (const blob of blobs) {
    const files = await db()
      .selectFrom("files")
      .select("id")
      .where("blob_sha256", "=", blob.sha256)
      .where("status", "<>", "purged")
      .execute();
    const versions = await db().selectFrom("file_versions").select("id").where("blob_sha256", "=", blob.sha256).execute();
    expect(blob.ref_count, blob.sha256).toBe(files.length + versions.length);
    expect(await app.deps.storage.head(blob.object_key), blob.object_key).not.toBeNull();
  }
  for (const key of gone) expect(await app.deps.storage.head(key), key).toBeNull();
  for (const userId of userIds) {
    const user = await db().selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    const files = await db().selectFrom("files").select("size").where("user_id", "=", userId).where("status", "<>", "purged").execute();
    const versions = await db().selectFrom("file_versions").select("size").where("user_id", "=", userId).execute();
    expect(user.quota_reserved).toBe(0);
    expect(user.quota_used).toBe([...files, ...versions].reduce((sum, r) => sum + Number(r.size), 0));
  }
}

const userIdOf = async (fileIdentity: string) =>
  (await db().selectFrom("files").select("user_id").where("identity", "=", fileIdentity).executeTakeFirstOrThrow()).user_id;

describe("uploading to a name that exists", () => {
  it("renames by default, makes a new version with onConflict version (presign, callback, instant), refuses with fail", async () => {
    const { token } = await app.signUp();
    const v1 = Buffer.from("version one");
    const v2 = Buffer.from("version two, longer");
    const a = await uploadFile(app, token, v1, { name: "a.txt" });
    await createFolder(app, token, "dir");
    const renamed = await uploadFile(app, token, v2, { name: "a.txt" });
    expect(renamed).not.toBe(a);
    expect(await names(token)).toEqual(["a (1).txt", "a.txt", "dir"]);

    // fail: refused at presign (and at instant), nothing reserved; a folder never gets versions.
    const refused = await upload(app, token, v2, { name: "a.txt", onConflict: "fail" });
    expect(refused.presign).toMatchObject({ status: 409, body: { code: 300013 } });
    expect(refused.presign.body.msg).toContain("a.txt");
    expect(await instant(token, v1, "a.txt", "fail")).toMatchObject({ status: 409, body: { code: 300013 } });
    expect((await upload(app, token, v2, { name: "dir", onConflict: "version" })).presign).toMatchObject({
      status: 409,
      body: { code: 300013 },
    });
    expect((await upload(app, token, v2, { name: "x.txt", onConflict: "bogus" as "fail" })).presign).toMatchObject({
      status: 400,
      body: { code: 100002 },
    });
    expect((await quota(token)).usedSize).toBe(v1.length + v2.length);

    // version: the same file, its content replaced; then the first content again by instant upload.
    const second = await upload(app, token, v2, { name: "a.txt", onConflict: "version" });
    expect(second.callback).toMatchObject({ status: 200, body: { data: { identity: a, file: { name: "a.txt", size: v2.length } } } });
    const third = await instant(token, v1, "a.txt", "version");
    expect(third).toMatchObject({ status: 200, body: { data: { identity: a, file: { size: v1.length } } } });
    expect(await names(token)).toEqual(["a (1).txt", "a.txt", "dir"]);
    // A name free at the presign is taken before the bytes land: fail refuses at the callback and releases the reservation.
    const late = await app.call("POST", "/file/v1/upload/presign", {
      token,
      body: { hash: sha256("late"), size: 4, name: "b.txt", onConflict: "fail" },
    });
    expect(late.status).toBe(200);
    await uploadFile(app, token, Buffer.from("b"), { name: "b.txt" });
    await fetch(late.body.data.uploadUrl, { method: "PUT", headers: late.body.data.headers, body: "late" });
    const lateCallback = await post(token, "/file/v1/upload/callback", { uploadKey: late.body.data.uploadKey });
    expect(lateCallback).toMatchObject({ status: 409, body: { code: 300013 } });
    expect(await names(token)).toEqual(["a (1).txt", "a.txt", "b.txt", "dir"]);

    const list = await versionsOf(token, a);
    expect(list.map((v: { hash: string; current: boolean; size: number }) => [v.hash, v.current, v.size])).toEqual([
      [sha256(v1), true, v1.length],
      [sha256(v2), false, v2.length],
      [sha256(v1), false, v1.length],
    ]);
    const me = (await get(token, "/usercenter/v1/user/info", {})).body.data.userInfo;
    expect(list.every((v: { uploader: string; createTime: number }) => v.uploader === me.name && v.createTime > 0)).toBe(true);
    expect(new Set(list.map((v: { identity: string }) => v.identity)).size).toBe(3);
    // Previous versions use space; the reservation of the refused upload is released.
    expect((await quota(token)).usedSize).toBe(v1.length + v2.length + v2.length + v1.length + 1);
    await expectExactAccounting([await userIdOf(a)]);
  });
});

describe("a file's versions", () => {
  it("are downloaded, restored (a new current version) and deleted; another user's are missing; copies take the current one; trash and purge carry them", async () => {
    const { token } = await app.signUp();
    const other = await app.signUp();
    const contents = [Buffer.from("first"), Buffer.from("second!"), Buffer.from("third!!!")];
    const file = await uploadFile(app, token, contents[0], { name: "doc.txt" });
    for (const c of contents.slice(1)) await uploadFile(app, token, c, { name: "doc.txt", onConflict: "version" });
    const [current, second, first] = await versionsOf(token, file);
    expect([current.hash, second.hash, first.hash]).toEqual(contents.map((c) => sha256(c)).reverse());

    // Download: each version's own bytes; the current one as the file's download.
    for (const [version, content] of [
      [first, contents[0]],
      [current, contents[2]],
    ] as const) {
      const res = await get(token, "/file/v1/file/version/download", { identity: version.identity });
      expect(await fetchBytes(res.body.data.url)).toEqual(content);
    }

    // Another user: the file's versions and every version id behave as missing ones.
    const missing = await get(other.token, "/file/v1/file/version/download", { identity: crypto.randomUUID() });
    expect(missing).toMatchObject({ status: 404, body: { code: 300030 } });
    for (const [path, method] of [
      ["/file/v1/file/version/download", "GET"],
      ["/file/v1/file/version/restore", "POST"],
      ["/file/v1/file/version/delete", "POST"],
    ] as const) {
      const answer = await app.call(method, path, {
        token: other.token,
        ...(method === "GET" ? { query: { identity: first.identity } } : { body: { identity: first.identity } }),
      });
      expect(answer).toEqual(missing);
    }
    expect(await get(other.token, "/file/v1/file/versions", { identity: file })).toMatchObject({ status: 404, body: { code: 300001 } });

    // Restore: the first content becomes a new current version; the list grows (retention keeps 2 previous).
    expect(await post(token, "/file/v1/file/version/restore", { identity: current.identity })).toMatchObject({
      status: 409,
      body: { code: 300031 },
    });
    const restored = await post(token, "/file/v1/file/version/restore", { identity: first.identity });
    expect(restored).toMatchObject({ status: 200, body: { data: { file: { identity: file, size: contents[0].length } } } });
    expect(restored.body.data.version).toMatchObject({ hash: sha256(contents[0]), current: true });
    expect(await fetchBytes((await get(token, "/file/v1/file/download", { identity: file })).body.data.url)).toEqual(contents[0]);
    await prune([file]);
    const afterRestore = await versionsOf(token, file);
    expect(afterRestore.map((v: { identity: string }) => v.identity)).toEqual([
      restored.body.data.version.identity,
      current.identity,
      second.identity,
    ]);

    // Delete: the current one cannot go; a previous one does, with its space.
    expect(await post(token, "/file/v1/file/version/delete", { identity: afterRestore[0].identity })).toMatchObject({
      status: 409,
      body: { code: 300031 },
    });
    const used = (await quota(token)).usedSize;
    expect(await post(token, "/file/v1/file/version/delete", { identity: second.identity })).toMatchObject({ status: 200 });
    expect((await quota(token)).usedSize).toBe(used - contents[1].length);
    expect(await post(token, "/file/v1/file/version/delete", { identity: second.identity })).toMatchObject({
      status: 404,
      body: { code: 300030 },
    });

    // Copy: the current version only.
    const folder = await createFolder(app, token, "copies");
    expect((await post(token, "/file/v1/file/copy", { identities: [file], targetId: folder })).status).toBe(200);
    const copy = (await get(token, "/file/v1/file/list", { parentId: folder })).body.data.list[0].identity;
    expect((await versionsOf(token, copy)).map((v: { hash: string }) => v.hash)).toEqual([sha256(contents[0])]);

    // Trash hides them, restore brings them back, purge deletes them and their objects.
    const keys = (await db().selectFrom("blobs").select("object_key").where("sha256", "=", sha256(contents[2])).execute()).map(
      (b) => b.object_key,
    );
    expect((await post(token, "/file/v1/file/delete", { identities: [file] })).status).toBe(200);
    expect(await get(token, "/file/v1/file/versions", { identity: file })).toMatchObject({ status: 404, body: { code: 300001 } });
    expect(await get(token, "/file/v1/file/version/download", { identity: current.identity })).toMatchObject({ status: 404 });
    expect((await post(token, "/file/v1/trash/restore", { identities: [file] })).status).toBe(200);
    expect(await versionsOf(token, file)).toHaveLength(2);
    expect((await post(token, "/file/v1/file/delete", { identities: [file] })).status).toBe(200);
    expect((await post(token, "/file/v1/trash/delete", { identities: [file] })).status).toBe(200);
    expect(await db().selectFrom("file_versions").select("id").where("identity", "=", current.identity).execute()).toEqual([]);
    expect((await quota(token)).usedSize).toBe(contents[0].length);
    await expectExactAccounting([await userIdOf(copy)], keys);
  });

  it("are pruned by the version.prune job: at most VERSION_KEEP_COUNT, none replaced longer ago than VERSION_KEEP_DAYS", async () => {
    const { token } = await app.signUp();
    const contents = Array.from({ length: 5 }, (_, i) => bytes(100 + i, 900 + i));
    const file = await uploadFile(app, token, contents[0], { name: "log.bin" });
    for (const c of contents.slice(1)) await uploadFile(app, token, c, { name: "log.bin", onConflict: "version" });
    await prune([file]);
    const kept = await versionsOf(token, file);
    expect(kept.map((v: { hash: string }) => v.hash)).toEqual([sha256(contents[4]), sha256(contents[3]), sha256(contents[2])]);
    // The job comes back when the oldest kept one reaches the age limit.
    // The latest one: the parity profile's Scheduler holds the uploads' own (due now) a minute ahead.
    const next = (await pruneJobsOf(file)).sort((x, y) => y.runAt.getTime() - x.runAt.getTime())[0];
    const oldest = await db()
      .selectFrom("file_versions")
      .select("replaced_at")
      .where("identity", "=", kept[2].identity)
      .executeTakeFirstOrThrow();
    expect(Math.abs(next.runAt.getTime() - (oldest.replaced_at.getTime() + 86_400_000))).toBeLessThan(60_000);
    // A day later the older one goes.
    await db()
      .updateTable("file_versions")
      .set({ replaced_at: new Date(Date.now() - 2 * 86_400_000) })
      .where("identity", "=", kept[2].identity)
      .execute();
    await prune([file]);
    expect((await versionsOf(token, file)).map((v: { hash: string }) => v.hash)).toEqual([sha256(contents[4]), sha256(contents[3])]);
    const gone = await db()
      .selectFrom("blobs")
      .select("sha256")
      .where(
        "sha256",
        "in",
        contents.slice(0, 3).map((c) => sha256(c)),
      )
      .execute();
    expect(gone).toEqual([]);
    expect((await quota(token)).usedSize).toBe(contents[4].length + contents[3].length);
    await expectExactAccounting([await userIdOf(file)]);
  });

  it("keep exact reference counts, quota and objects under parallel version uploads, restores, deletes, copies, purges and prunes", async () => {
    const owner = await app.signUp();
    const saver = await app.signUp();
    const shared = bytes(3_000, 501);
    const contents = Array.from({ length: 4 }, (_, i) => bytes(2_000 + i, 600 + i));
    const file = await uploadFile(app, owner.token, shared, { name: "hot.bin" });
    // The saver holds the shared content too, so its blob must survive whatever the owner does.
    const theirs = await uploadFile(app, saver.token, shared, { name: "mine.bin" });
    for (const c of contents.slice(0, 2)) await uploadFile(app, owner.token, c, { name: "hot.bin", onConflict: "version" });
    const previous = (await versionsOf(owner.token, file)).filter((v: { current: boolean }) => !v.current);
    const folder = await createFolder(app, owner.token, "c");
    const statuses = await Promise.all([
      ...contents
        .slice(2)
        .map(async (c) => (await upload(app, owner.token, c, { name: "hot.bin", onConflict: "version" })).callback!.status),
      (async () => (await instant(owner.token, shared, "hot.bin", "version")).status)(),
      ...previous.map(
        async (v: { identity: string }) => (await post(owner.token, "/file/v1/file/version/restore", { identity: v.identity })).status,
      ),
      ...previous.map(
        async (v: { identity: string }) => (await post(owner.token, "/file/v1/file/version/delete", { identity: v.identity })).status,
      ),
      (async () => (await post(owner.token, "/file/v1/file/copy", { identities: [file], targetId: folder })).status)(),
      prune([file]).then(() => 200),
    ]);
    // A version restored and deleted at once: either may find it gone (404 300030); nothing else fails.
    expect(statuses.filter((s) => s !== 200 && s !== 404)).toEqual([]);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    await prune([file]);
    const users = [await userIdOf(file), await userIdOf(theirs)];
    await expectExactAccounting(users);
    expect((await versionsOf(owner.token, file)).length).toBeLessThanOrEqual(3);

    // To zero on the owner's side, at once: the file with its versions and the copy; the saver's blob stays.
    const copies = (await get(owner.token, "/file/v1/file/list", { parentId: folder })).body.data.list.map(
      (f: { identity: string }) => f.identity,
    );
    const keys = (
      await db()
        .selectFrom("blobs")
        .select("object_key")
        .where(
          "sha256",
          "in",
          contents.map((c) => sha256(c)),
        )
        .execute()
    ).map((b) => b.object_key);
    expect((await post(owner.token, "/file/v1/file/delete", { identities: [file, ...copies] })).status).toBe(200);
    const purged = await Promise.all([
      post(owner.token, "/file/v1/trash/delete", { identities: [file] }),
      post(owner.token, "/file/v1/trash/delete", { identities: copies }),
      prune([file]).then(() => ({ status: 200 })),
    ]);
    expect(purged.map((r) => r.status)).toEqual([200, 200, 200]);
    await expectExactAccounting(users, keys);
    expect((await quota(owner.token)).usedSize).toBe(0);
    expect(await fetchBytes((await get(saver.token, "/file/v1/file/download", { identity: theirs })).body.data.url)).toEqual(shared);
  });
});
