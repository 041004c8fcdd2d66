import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, listNames, quota, startTestApp, uploadFile, type TestApp } from "./support";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ DEFAULT_QUOTA_BYTES: String(100_000) });
});
afterAll(() => app?.close());

const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });
const get = (token: string, path: string, query: Record<string, unknown>) => app.call("GET", path, { token, query });

describe("folders and names", () => {
  it("creates folders, lists folders first and shows the breadcrumb", async () => {
    const { token } = await app.signUp();
    const docs = await createFolder(app, token, "Docs");
    const year = await createFolder(app, token, "2025", docs);
    await uploadFile(app, token, bytes(10, 1), { name: "a.txt", parentId: docs });
    await createFolder(app, token, "b-folder", docs);
    expect(await listNames(app, token, docs)).toEqual(["2025", "b-folder", "a.txt"]);
    const detail = await get(token, "/file/v1/file/detail", { identity: year });
    expect(detail.body.data.file).toMatchObject({ name: "2025", isDir: true, parentId: docs });
    expect(detail.body.data.path).toEqual([
      { identity: docs, name: "Docs" },
      { identity: year, name: "2025" },
    ]);
  });

  it.each([
    ["a slash", "a/b"],
    ["a backslash", "a\\b"],
    ["NUL", "a\u0000b"],
    ["a control character", "a\u0007"],
    ["a dot", "."],
    ["two dots", ".."],
    ["256 characters", "x".repeat(256)],
    ["only spaces", "   "],
  ])("refuses a name with %s (400 300012)", async (_, name) => {
    const { token } = await app.signUp();
    const res = await post(token, "/file/v1/folder/create", { name });
    expect(res).toMatchObject({ status: 400, body: { code: 300012 } });
    expect(await listNames(app, token)).toEqual([]);
  });

  it("refuses a sibling with the same name (409 300013) and an unknown parent (404 300014)", async () => {
    const { token } = await app.signUp();
    await createFolder(app, token, "same");
    expect(await post(token, "/file/v1/folder/create", { name: "same" })).toMatchObject({ status: 409, body: { code: 300013 } });
    expect(await post(token, "/file/v1/folder/create", { name: "x", parentId: crypto.randomUUID() })).toMatchObject({
      status: 404,
      body: { code: 300014 },
    });
  });

  it("renames, refusing a clash", async () => {
    const { token } = await app.signUp();
    const a = await createFolder(app, token, "a");
    await createFolder(app, token, "b");
    const file = await uploadFile(app, token, bytes(5, 2), { name: "n.txt" });
    expect((await post(token, "/file/v1/file/rename", { identity: file, name: "new.md" })).body.data.file).toMatchObject({
      name: "new.md",
      ext: "md",
    });
    expect(await post(token, "/file/v1/file/rename", { identity: a, name: "b" })).toMatchObject({ status: 409, body: { code: 300013 } });
  });

  it("lets only one of many concurrent renames into one name win", async () => {
    const { token } = await app.signUp();
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => createFolder(app, token, `r${i}`)));
    const results = await Promise.all(ids.map((identity) => post(token, "/file/v1/file/rename", { identity, name: "winner" })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    expect((await listNames(app, token)).filter((n) => n === "winner")).toHaveLength(1);
  });
});

describe("listing", () => {
  it("pages by page number and by cursor in every order, folders first", async () => {
    const { token } = await app.signUp();
    const parent = await createFolder(app, token, "many");
    for (let i = 0; i < 7; i++) await createFolder(app, token, `d${i}`, parent);
    for (let i = 0; i < 8; i++)
      await uploadFile(app, token, bytes(100 + i, 100 + i), { name: `f${String(i).padStart(2, "0")}.bin`, parentId: parent });
    for (const [orderBy, order] of [
      ["name", "asc"],
      ["name", "desc"],
      ["size", "desc"],
      ["create_time", "asc"],
      ["update_time", "desc"],
    ]) {
      const all = await get(token, "/file/v1/file/list", { parentId: parent, orderBy, order, pageSize: 1000 });
      expect(all.body.data.total).toBe(15);
      const names: string[] = all.body.data.list.map((f: { name: string }) => f.name);
      expect(names.slice(0, 7).every((n) => n.startsWith("d"))).toBe(true);
      const viaCursor: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await get(token, "/file/v1/file/list", { parentId: parent, orderBy, order, pageSize: 4, cursor });
        viaCursor.push(...page.body.data.list.map((f: { name: string }) => f.name));
        cursor = page.body.data.nextCursor;
      } while (cursor);
      expect(viaCursor).toEqual(names);
      const page2 = await get(token, "/file/v1/file/list", { parentId: parent, orderBy, order, pageSize: 4, page: 2 });
      expect(page2.body.data.list.map((f: { name: string }) => f.name)).toEqual(names.slice(4, 8));
    }
  });

  it("keeps every folder's total exact through move, copy, trash, restore and purge", async () => {
    const { token } = await app.signUp();
    const a = await createFolder(app, token, "a");
    const b = await createFolder(app, token, "b");
    const inner = await createFolder(app, token, "inner", a);
    await uploadFile(app, token, bytes(10, 900), { name: "x.bin", parentId: inner });
    await uploadFile(app, token, bytes(11, 901), { name: "y.bin", parentId: a });
    const exact = async () => {
      for (const folder of ["0", a, b, inner]) {
        const listed = await get(token, "/file/v1/file/list", { parentId: folder, pageSize: 1000 });
        // A folder in the recycle bin cannot be listed; every live one must count exactly.
        if (listed.status === 404) continue;
        expect(listed.body.data.total).toBe(listed.body.data.list.length);
      }
    };
    await exact();
    await post(token, "/file/v1/file/move", { identities: [inner], targetId: b });
    await exact();
    await post(token, "/file/v1/file/copy", { identities: [a, b], targetId: b });
    await exact();
    await post(token, "/file/v1/file/delete", { identities: [a] });
    await exact();
    await post(token, "/file/v1/trash/restore", { identities: [a] });
    await exact();
    await post(token, "/file/v1/file/delete", { identities: [b] });
    await post(token, "/file/v1/trash/clear", {});
    await exact();
  });

  it("rejects bad paging input with 400 100002 naming the field", async () => {
    const { token } = await app.signUp();
    const big = await get(token, "/file/v1/file/list", { pageSize: 1001 });
    expect(big).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(big.body.msg).toContain("pageSize");
    expect(await get(token, "/file/v1/file/list", { orderBy: "owner" })).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(await get(token, "/file/v1/file/list", { cursor: "garbage" })).toMatchObject({ status: 400, body: { code: 100002 } });
  });
});

describe("move and copy", () => {
  it("moves subtrees and refuses a folder into itself or its descendants", async () => {
    const { token } = await app.signUp();
    const a = await createFolder(app, token, "A");
    const b = await createFolder(app, token, "B", a);
    const c = await createFolder(app, token, "C");
    expect(await post(token, "/file/v1/file/move", { identities: [a], targetId: b })).toMatchObject({
      status: 400,
      body: { code: 300015 },
    });
    expect(await post(token, "/file/v1/file/move", { identities: [a], targetId: a })).toMatchObject({
      status: 400,
      body: { code: 300015 },
    });
    expect((await post(token, "/file/v1/file/move", { identities: [a], targetId: c })).body.data).toEqual({ movedCount: 1 });
    expect((await get(token, "/file/v1/file/detail", { identity: b })).body.data.path.map((p: { name: string }) => p.name)).toEqual([
      "C",
      "A",
      "B",
    ]);
  });

  it("never leaves a cycle when A→B and B→A race", async () => {
    const { token } = await app.signUp();
    for (let round = 0; round < 5; round++) {
      const a = await createFolder(app, token, `A${round}`);
      const b = await createFolder(app, token, `B${round}`);
      const [ab, ba] = await Promise.all([
        post(token, "/file/v1/file/move", { identities: [a], targetId: b }),
        post(token, "/file/v1/file/move", { identities: [b], targetId: a }),
      ]);
      expect([ab.status, ba.status].sort()).toEqual([200, 400]);
      const rows = await app.deps.db.selectFrom("files").select(["identity", "parent_id", "id"]).where("identity", "in", [a, b]).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(rows.some((r) => byId.get(r.parent_id)?.parent_id === r.id)).toBe(false);
    }
  });

  it("copies whole subtrees, counts them against quota and suffixes clashes", async () => {
    const { token } = await app.signUp();
    const src = await createFolder(app, token, "src");
    const inner = await createFolder(app, token, "inner", src);
    await uploadFile(app, token, bytes(1000, 3), { name: "x.bin", parentId: inner });
    await uploadFile(app, token, bytes(2000, 4), { name: "y.bin", parentId: src });
    const copied = await post(token, "/file/v1/file/copy", { identities: [src], targetId: "0" });
    expect(copied.body.data).toEqual({ copiedCount: 4 });
    expect(await listNames(app, token)).toEqual(["src", "src (1)"]);
    const list = await get(token, "/file/v1/file/list", { pageSize: 10 });
    const copy = list.body.data.list.find((f: { name: string }) => f.name === "src (1)");
    expect(await listNames(app, token, copy.identity)).toEqual(["inner", "y.bin"]);
    expect((await quota(app, token)).usedSize).toBe(6000);
  });

  it("refuses a copy over quota with 403 200004 and copies nothing", async () => {
    const { token } = await app.signUp();
    const big = await uploadFile(app, token, bytes(60_000, 5), { name: "big.bin" });
    const res = await post(token, "/file/v1/file/copy", { identities: [big], targetId: "0" });
    expect(res).toMatchObject({ status: 403, body: { code: 200004 } });
    expect(await listNames(app, token)).toEqual(["big.bin"]);
    expect((await quota(app, token)).usedSize).toBe(60_000);
  });
});

describe("recycle bin", () => {
  it("trashes whole subtrees, hides them, restores them and purges them after retention", async () => {
    const { token } = await app.signUp();
    const dir = await createFolder(app, token, "dir");
    const file = await uploadFile(app, token, bytes(500, 6), { name: "in.txt", parentId: dir });
    expect((await post(token, "/file/v1/file/delete", { identities: [dir] })).body.data).toEqual({ deletedCount: 1 });
    expect(await listNames(app, token)).toEqual([]);
    expect(await get(token, "/file/v1/file/download", { identity: file })).toMatchObject({ status: 404, body: { code: 300001 } });
    expect(await get(token, "/file/v1/file/detail", { identity: file })).toMatchObject({ status: 404 });
    const trash = await get(token, "/file/v1/trash/list", {});
    expect(trash.body.data.total).toBe(1);
    expect(trash.body.data.list[0]).toMatchObject({ identity: dir, name: "dir" });
    expect(trash.body.data.list[0].purgeTime - trash.body.data.list[0].deleteTime).toBe(30 * 24 * 3600);
    // Restoring into a clash gets a suffix.
    await createFolder(app, token, "dir");
    expect((await post(token, "/file/v1/trash/restore", { identities: [dir] })).body.data).toEqual({ restoredCount: 1 });
    expect(await listNames(app, token)).toEqual(["dir", "dir (1)"]);
    expect(await listNames(app, token, dir)).toEqual(["in.txt"]);
    expect(await post(token, "/file/v1/trash/restore", { identities: [dir] })).toMatchObject({ status: 409, body: { code: 300017 } });

    await post(token, "/file/v1/file/delete", { identities: [dir] });
    const { trash_batch: batch } = await app.deps.db
      .selectFrom("files")
      .select("trash_batch")
      .where("identity", "=", dir)
      .executeTakeFirstOrThrow();
    const job = (await app.jobs.get(`trash-purge-${batch}`))!;
    expect(job).toMatchObject({ type: "trash.purge", payload: { batch } });
    await app.deps.db
      .updateTable("files")
      .set({ purge_at: new Date(Date.now() - 1000) })
      .where("identity", "=", dir)
      .execute();
    await app.jobs.makeDue(job.name);
    await app.background.runDueJobs();
    expect((await get(token, "/file/v1/trash/list", {})).body.data.total).toBe(0);
    expect((await quota(app, token)).usedSize).toBe(0);
  });

  it("restores to the root when the original folder is gone", async () => {
    const { token } = await app.signUp();
    const dir = await createFolder(app, token, "gone");
    const file = await uploadFile(app, token, bytes(10, 7), { name: "orphan.txt", parentId: dir });
    await post(token, "/file/v1/file/delete", { identities: [file] });
    await post(token, "/file/v1/file/delete", { identities: [dir] });
    await post(token, "/file/v1/trash/delete", { identities: [dir] });
    expect((await post(token, "/file/v1/trash/restore", { identities: [file] })).body.data).toEqual({ restoredCount: 1 });
    expect(await listNames(app, token)).toEqual(["orphan.txt"]);
  });

  it("refuses to trash-delete an active item (409 300017)", async () => {
    const { token } = await app.signUp();
    const dir = await createFolder(app, token, "active");
    expect(await post(token, "/file/v1/trash/delete", { identities: [dir] })).toMatchObject({ status: 409, body: { code: 300017 } });
  });
});

describe("another user's identities behave as missing ones", () => {
  it("answers 404 everywhere and changes nothing", async () => {
    const alice = await app.signUp();
    const bob = await app.signUp();
    const dir = await createFolder(app, alice.token, "private");
    const file = await uploadFile(app, alice.token, bytes(50, 8), { name: "secret.txt", parentId: dir });
    const before = await app.deps.db
      .selectFrom("files")
      .selectAll()
      .where(
        "user_id",
        "=",
        (await app.deps.db.selectFrom("files").select("user_id").where("identity", "=", dir).executeTakeFirstOrThrow()).user_id,
      )
      .orderBy("id")
      .execute();
    const missing = crypto.randomUUID();
    for (const id of [file, missing]) {
      const answers = await Promise.all([
        get(bob.token, "/file/v1/file/detail", { identity: id }),
        get(bob.token, "/file/v1/file/download", { identity: id }),
        post(bob.token, "/file/v1/file/rename", { identity: id, name: "mine" }),
        post(bob.token, "/file/v1/file/move", { identities: [id], targetId: "0" }),
        post(bob.token, "/file/v1/file/copy", { identities: [id], targetId: "0" }),
        post(bob.token, "/file/v1/file/delete", { identities: [id] }),
        post(bob.token, "/file/v1/trash/restore", { identities: [id] }),
        post(bob.token, "/file/v1/trash/delete", { identities: [id] }),
      ]);
      for (const a of answers) expect(a).toEqual({ status: 404, body: { code: 300001, msg: "file not found" } });
    }
    for (const id of [dir, missing]) {
      expect(await get(bob.token, "/file/v1/file/list", { parentId: id })).toEqual({
        status: 404,
        body: { code: 300009, msg: "folder not found" },
      });
      expect(await post(bob.token, "/file/v1/folder/create", { name: "x", parentId: id })).toMatchObject({
        status: 404,
        body: { code: 300014 },
      });
    }
    const after = await app.deps.db.selectFrom("files").selectAll().where("user_id", "=", before[0].user_id).orderBy("id").execute();
    expect(after).toEqual(before);
  });
});
