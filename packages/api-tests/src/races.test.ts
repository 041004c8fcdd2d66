import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, instantUpload, possessionProof, sha256, startTestApp, upload, uploadFile, type TestApp } from "./support";

/**
 * Many concurrent requests through HTTP against one user's quota, one piece of content, one folder
 * and one tree: the invariants hold whatever the interleaving. (uploads.test.ts and namespace.test.ts
 * have the simpler races: presigns alone, renames alone, one A↔B move pair.) On PGlite the
 * transactions take turns; the PostgreSQL passes run the same requests truly in parallel.
 */

const QUOTA = 200_000;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ DEFAULT_QUOTA_BYTES: String(QUOTA) });
});
afterAll(() => app?.close());

const db = () => app.deps.db;
const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });

async function userIdOf(token: string) {
  const folder = await createFolder(app, token, `probe-${crypto.randomUUID()}`);
  const row = await db().selectFrom("files").select("user_id").where("identity", "=", folder).executeTakeFirstOrThrow();
  expect((await post(token, "/file/v1/file/delete", { identities: [folder] })).status).toBe(200);
  expect((await post(token, "/file/v1/trash/delete", { identities: [folder] })).status).toBe(200);
  return row.user_id;
}

const instant = (token: string, content: Buffer, name: string, parentId?: string) => instantUpload(app, token, content, { name, parentId });

/** To the recycle bin and out of it for good. */
async function purge(token: string, identity: string) {
  const trashed = await post(token, "/file/v1/file/delete", { identities: [identity] });
  return trashed.status === 200 ? (await post(token, "/file/v1/trash/delete", { identities: [identity] })).status : trashed.status;
}

/**
 * Instant uploads of one content by one user, one after the other: a user has one live challenge per
 * content (asking again replaces it), so a user's parallel attempts refuse each other with 403 300026.
 */
async function instants(token: string, content: Buffer, names: string[], parentId?: string) {
  const answers = [];
  for (const name of names) answers.push(await instant(token, content, name, parentId));
  return answers;
}

/** Runs the operations all at once, in a shuffled order. */
async function together<T>(ops: (() => Promise<T>)[]): Promise<T[]> {
  const shuffled = ops
    .map((op) => ({ op, key: Math.random() }))
    .sort((x, y) => x.key - y.key)
    .map((x) => x.op);
  return Promise.all(shuffled.map((op) => op()));
}

const statusSet = (statuses: number[]) => [...new Set(statuses)].sort();

describe("one quota", () => {
  it("is never exceeded by parallel uploads, aborts, instant uploads and copies; every reservation ends used or released", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const known = bytes(10_000, 7);
    const seed = await uploadFile(app, token, known, { name: "seed.bin" });
    const folder = await createFolder(app, token, "in");

    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const u = await db()
          .selectFrom("users")
          .select(["quota_used", "quota_reserved"])
          .where("id", "=", userId)
          .executeTakeFirstOrThrow();
        peak = Math.max(peak, u.quota_used + u.quota_reserved);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const statuses = await together<number>([
      ...Array.from({ length: 16 }, (_, i) => async () => {
        const { presign, callback } = await upload(app, token, bytes(12_000 + i, 100 + i), { name: `u${i}.bin`, parentId: folder });
        return callback?.status ?? presign.status;
      }),
      ...Array.from({ length: 6 }, (_, i) => async () => {
        const presign = await post(token, "/file/v1/upload/presign", { hash: sha256(`abandoned-${i}`), size: 10_000, name: `a${i}.bin` });
        return presign.status === 200
          ? (await post(token, "/file/v1/upload/abort", { uploadKey: presign.body.data.uploadKey })).status
          : presign.status;
      }),
      ...Array.from(
        { length: 8 },
        () => async () => (await post(token, "/file/v1/file/copy", { identities: [seed], targetId: folder })).status,
      ),
      async () =>
        Math.max(
          ...(await instants(token, known, ["i0.bin", "i1.bin", "i2.bin", "i3.bin", "i4.bin", "i5.bin"], folder)).map((r) => r.status),
        ),
    ]);
    sampling = false;
    await sampler;
    await app.background.idle();

    expect(statusSet(statuses)).toEqual([200, 403]);
    expect(peak).toBeLessThanOrEqual(QUOTA);
    const user = await db().selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    const files = await db()
      .selectFrom("files")
      .select(["id", "size", "status"])
      .where("user_id", "=", userId)
      .where("status", "<>", "purged")
      .execute();
    expect(user.quota_reserved).toBe(0);
    expect(user.quota_used).toBe(files.reduce((sum, f) => sum + f.size, 0));
    expect(user.quota_used).toBeLessThanOrEqual(QUOTA);
    const uploads = await db().selectFrom("uploads").select(["status", "file_id"]).where("user_id", "=", userId).execute();
    expect(uploads.filter((u) => u.status === "pending")).toEqual([]);
    const live = new Set(files.filter((f) => f.status === "active").map((f) => f.id));
    expect(uploads.filter((u) => u.status === "completed" && !live.has(u.file_id!))).toEqual([]);
  });
});

describe("one piece of content", () => {
  it("keeps exact reference counts under parallel instant uploads, uploads, copies and purges, and deletes the object only at zero", async () => {
    const content = bytes(5_000, 77);
    const hash = sha256(content);
    const owner = await app.signUp();
    const others = await Promise.all(Array.from({ length: 4 }, () => app.signUp()));
    const first = await uploadFile(app, owner.token, content, { name: "k.bin" });
    const folder = await createFolder(app, owner.token, "copies");
    const firstKey = (await db().selectFrom("blobs").select("object_key").where("sha256", "=", hash).executeTakeFirstOrThrow()).object_key;
    const mine = new Map<string, string[]>(others.map((o) => [o.token, []]));
    const copies: string[] = [];

    /** References counted from the files table against the blob row and the object. */
    async function expectExactCount() {
      await app.background.idle();
      const refs = await db().selectFrom("files").select("id").where("blob_sha256", "=", hash).where("status", "<>", "purged").execute();
      const blob = await db().selectFrom("blobs").selectAll().where("sha256", "=", hash).executeTakeFirst();
      if (refs.length === 0) {
        expect(blob).toBeUndefined();
        expect(await app.deps.storage.head(firstKey)).toBeNull();
      } else {
        expect(blob?.ref_count).toBe(refs.length);
        expect(await app.deps.storage.head(blob!.object_key)).not.toBeNull();
      }
      return refs.length;
    }
    const fileIn = (res: { status: number; body: any }) => (res.status === 200 ? (res.body.data.identity as string) : undefined);
    const filesIn = async (token: string, parentId?: string) =>
      (await app.call("GET", "/file/v1/file/list", { token, query: { parentId, pageSize: 1000 } })).body.data.list
        .filter((f: { isDir: boolean }) => !f.isDir)
        .map((f: { identity: string }) => f.identity) as string[];

    // Growing: every kind of new reference at once.
    const grow = await together<number>([
      ...others.map((o) => async () => {
        const answers = await instants(o.token, content, ["i0.bin", "i1.bin", "i2.bin"]);
        mine.get(o.token)!.push(...answers.map(fileIn).filter((id): id is string => id !== undefined));
        return Math.max(...answers.map((r) => r.status));
      }),
      ...Array.from(
        { length: 4 },
        () => async () => (await post(owner.token, "/file/v1/file/copy", { identities: [first], targetId: folder })).status,
      ),
      ...others.slice(0, 2).map((o) => async () => (await upload(app, o.token, content, { name: "full.bin" })).callback!.status),
    ]);
    expect(statusSet(grow)).toEqual([200]);
    expect(await expectExactCount()).toBe(1 + 4 * 3 + 4 + 2);
    copies.push(...(await filesIn(owner.token, folder)));

    // Mixed: purges of some references beside new ones, the owner uploading the content while purging it.
    const mixed = await together<number>([
      ...copies.slice(0, 3).map((id) => () => purge(owner.token, id)),
      ...others.map((o) => () => purge(o.token, mine.get(o.token)!.shift()!)),
      ...others.map((o) => async () => (await instant(o.token, content, "again.bin")).status),
      ...Array.from(
        { length: 2 },
        () => async () => (await post(owner.token, "/file/v1/file/copy", { identities: [first], targetId: folder })).status,
      ),
      async () => (await upload(app, owner.token, content, { name: "re-upload.bin" })).callback!.status,
    ]);
    expect(statusSet(mixed)).toEqual([200]);
    expect(await expectExactCount()).toBe(1 + 4 * 3 + 4 + 2 - 3 - 4 + 4 + 2 + 1);

    // To zero: everyone purges everything at once; the object goes with the last reference.
    const everything = [
      { token: owner.token, ids: [...(await filesIn(owner.token)), ...(await filesIn(owner.token, folder))] },
      ...(await Promise.all(others.map(async (o) => ({ token: o.token, ids: await filesIn(o.token) })))),
    ];
    const drained = await together<number>(everything.flatMap(({ token, ids }) => ids.map((id) => () => purge(token, id))));
    expect(statusSet(drained)).toEqual([200]);
    expect(await expectExactCount()).toBe(0);

    // Known no more: instant upload says so, and a new upload stores the content afresh.
    expect((await post(others[0].token, "/file/v1/upload/instant", { hash, size: content.length, name: "late.bin" })).body.data).toEqual({
      exists: false,
    });
    await uploadFile(app, others[0].token, content, { name: "fresh.bin" });
    expect(await expectExactCount()).toBe(1);
  });

  it("never answers 500 when the last reference is purged while others prove possession of the content", async () => {
    const content = bytes(4_000, 78);
    for (let round = 0; round < 4; round++) {
      const owner = await app.signUp();
      const provers = await Promise.all(Array.from({ length: 3 }, () => app.signUp()));
      const only = await uploadFile(app, owner.token, content, { name: "last.bin" });
      const linked: { token: string; identity: string }[] = [];
      const statuses = await together<number>([
        () => purge(owner.token, only),
        ...provers.map((p) => async () => {
          const answers = await instants(p.token, content, ["p0.bin", "p1.bin", "p2.bin"]);
          for (const res of answers)
            if (res.status === 200 && res.body.data.identity) linked.push({ token: p.token, identity: res.body.data.identity });
          return Math.max(...answers.map((r) => r.status));
        }),
      ]);
      expect(statusSet(statuses)).toEqual([200]);
      await app.background.idle();
      const refs = await db()
        .selectFrom("files")
        .select("id")
        .where("blob_sha256", "=", sha256(content))
        .where("status", "<>", "purged")
        .execute();
      const blob = await db().selectFrom("blobs").select("ref_count").where("sha256", "=", sha256(content)).executeTakeFirst();
      expect(refs).toHaveLength(linked.length);
      expect(blob?.ref_count ?? 0).toBe(linked.length);
      // The next round starts with nobody holding the content.
      for (const { token, identity } of linked) expect(await purge(token, identity)).toBe(200);
      expect(await db().selectFrom("blobs").select("ref_count").where("sha256", "=", sha256(content)).executeTakeFirst()).toBeUndefined();
    }
  });
  it("never deadlocks when copies and purges of several shared contents by different users cross", async () => {
    const contents = Array.from({ length: 4 }, (_, i) => bytes(700 + i, 90 + i));
    const users = await Promise.all([app.signUp(), app.signUp()]);
    for (let round = 0; round < 4; round++) {
      // Each user holds every content twice, in folders whose files list them in opposite orders:
      // one folder is copied while the other is purged.
      const folders = await Promise.all(
        users.map(async ({ token }, u) =>
          Promise.all(
            ["keep", "drop"].map(async (kind) => {
              const folder = await createFolder(app, token, `${kind}${round}`);
              for (const [i, content] of (u === 0 ? contents : [...contents].reverse()).entries()) {
                await uploadFile(app, token, content, { name: `c${i}.bin`, parentId: folder });
              }
              return folder;
            }),
          ),
        ),
      );
      const statuses = await together<number>(
        users.flatMap(({ token }, u) => [
          async () => (await post(token, "/file/v1/file/copy", { identities: [folders[u][0]], targetId: "0" })).status,
          () => purge(token, folders[u][1]),
        ]),
      );
      expect(statuses, JSON.stringify(statuses)).toEqual([200, 200, 200, 200]);
    }
    for (const content of contents) {
      const refs = await db()
        .selectFrom("files")
        .select("id")
        .where("blob_sha256", "=", sha256(content))
        .where("status", "<>", "purged")
        .execute();
      expect(
        (await db().selectFrom("blobs").select("ref_count").where("sha256", "=", sha256(content)).executeTakeFirstOrThrow()).ref_count,
      ).toBe(refs.length);
    }
  });

  it("answers exists:false, not 500, when the content's object went between the check and the proof", async () => {
    const content = bytes(2_000, 80);
    const owner = await app.signUp();
    await uploadFile(app, owner.token, content, { name: "vanishing.bin" });
    const { token } = await app.signUp();
    const ask = { hash: sha256(content), size: content.length, name: "late.bin" };
    const { challenge } = (await post(token, "/file/v1/upload/instant", ask)).body.data;
    // What a purge of the last reference does between the proof's blob check and its read.
    const blob = await db().selectFrom("blobs").select("object_key").where("sha256", "=", sha256(content)).executeTakeFirstOrThrow();
    await app.deps.storage.delete([blob.object_key]);
    const proof = possessionProof(content, challenge);
    expect(await post(token, "/file/v1/upload/instant", { ...ask, proof })).toEqual({
      status: 200,
      body: { code: 200, msg: "OK", data: { exists: false } },
    });
  });
});

describe("one folder", () => {
  it("never gets two active children with one name from parallel moves, renames, creates, copies and restores", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const target = await createFolder(app, token, "target");
    const sources = await Promise.all(Array.from({ length: 5 }, (_, i) => createFolder(app, token, `src${i}`)));
    const movers = await Promise.all(sources.map((s) => createFolder(app, token, "same", s)));
    const renamers = await Promise.all(Array.from({ length: 4 }, (_, i) => createFolder(app, token, `r${i}`, target)));
    const gone = await createFolder(app, token, "same", target);
    expect((await post(token, "/file/v1/file/delete", { identities: [gone] })).status).toBe(200);

    const statuses = await together<number>([
      ...movers.map((m) => async () => (await post(token, "/file/v1/file/move", { identities: [m], targetId: target })).status),
      ...renamers.map((r) => async () => (await post(token, "/file/v1/file/rename", { identity: r, name: "same" })).status),
      ...Array.from(
        { length: 4 },
        () => async () => (await post(token, "/file/v1/folder/create", { name: "same", parentId: target })).status,
      ),
      async () => (await post(token, "/file/v1/file/copy", { identities: [movers[0]], targetId: target })).status,
      async () => (await post(token, "/file/v1/trash/restore", { identities: [gone] })).status,
    ]);
    expect(
      statuses.every((s) => s === 200 || s === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    const twins = await db()
      .selectFrom("files")
      .select("name")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("status", "=", "active")
      .groupBy(["parent_id", "name"])
      .having((eb) => eb.fn.countAll(), ">", 1)
      .execute();
    expect(twins).toEqual([]);
    const names = (await app.call("GET", "/file/v1/file/list", { token, query: { parentId: target, pageSize: 1000 } })).body.data.list.map(
      (f: { name: string }) => f.name,
    );
    expect(names.filter((n: string) => n === "same")).toHaveLength(1);
  });

  it("never keeps an active item under a folder that went to the recycle bin meanwhile", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const known = bytes(3_000, 79);
    await uploadFile(app, token, known, { name: "known.bin" });
    for (let round = 0; round < 3; round++) {
      const folder = await createFolder(app, token, `doomed${round}`);
      const pending = await Promise.all(
        Array.from({ length: 3 }, async (_, i) => {
          const content = bytes(1_000 + i, 200 + round * 10 + i);
          const presign = await post(token, "/file/v1/upload/presign", {
            hash: sha256(content),
            size: content.length,
            name: `up${i}.bin`,
            parentId: folder,
          });
          return { content, plan: presign.body.data };
        }),
      );
      const statuses = await together<number>([
        async () => (await post(token, "/file/v1/file/delete", { identities: [folder] })).status,
        ...Array.from(
          { length: 6 },
          (_, i) => async () => (await post(token, "/file/v1/folder/create", { name: `sub${i}`, parentId: folder })).status,
        ),
        async () => Math.max(...(await instants(token, known, ["inst0.bin", "inst1.bin", "inst2.bin"], folder)).map((r) => r.status)),
        ...pending.map(({ content, plan }) => async () => {
          await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content });
          return (await post(token, "/file/v1/upload/callback", { uploadKey: plan.uploadKey })).status;
        }),
      ]);
      expect(
        statuses.every((s) => s === 200 || s === 404),
        JSON.stringify(statuses),
      ).toBe(true);
      await app.background.idle();
      const orphans = await db()
        .selectFrom("files as c")
        .innerJoin("files as p", "p.id", "c.parent_id")
        .select(["c.name", "p.status"])
        .where("c.user_id", "=", userId)
        .where("c.status", "=", "active")
        .where("p.status", "<>", "active")
        .execute();
      expect(orphans).toEqual([]);
    }
  });
});

describe("one tree", () => {
  it("never leaves a cycle when folders move into each other's subtrees at once", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    let refused = 0;
    for (let round = 0; round < 4; round++) {
      const tops = await Promise.all(["A", "B", "C"].map((n) => createFolder(app, token, `${n}${round}`)));
      const inner = await Promise.all(tops.map((t) => createFolder(app, token, "inner", t)));
      const statuses = await together<number>([
        // A into B's child, B into C's child, C into A's child: any two are fine, all three make a ring.
        ...tops.map(
          (t, i) => async () => (await post(token, "/file/v1/file/move", { identities: [t], targetId: inner[(i + 1) % 3] })).status,
        ),
        async () => (await post(token, "/file/v1/file/move", { identities: [tops[0]], targetId: tops[2] })).status,
        async () => (await post(token, "/file/v1/file/move", { identities: [tops[2]], targetId: tops[0] })).status,
      ]);
      expect(
        statuses.every((s) => s === 200 || s === 400),
        JSON.stringify(statuses),
      ).toBe(true);
      refused += statuses.filter((s) => s === 400).length;
    }
    expect(refused).toBeGreaterThan(0);
    const rows = await db()
      .selectFrom("files")
      .select(["id", "parent_id"])
      .where("user_id", "=", userId)
      .where("status", "=", "active")
      .execute();
    const parentOf = new Map(rows.map((r) => [r.id, r.parent_id]));
    for (const row of rows) {
      let at = row.id;
      for (let steps = 0; at !== 0; steps++) {
        expect(steps, `folder ${row.id} does not reach the root`).toBeLessThan(rows.length);
        at = parentOf.get(at) ?? 0;
      }
    }
  });
});
