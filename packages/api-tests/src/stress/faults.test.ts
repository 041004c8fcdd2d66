import { spawn } from "node:child_process";
import { join } from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, quota, sha256, startTestApp, upload, uploadFile, type TestApp } from "../support";
import { sqsEvent } from "@polaris/local/background";
import { loadModuleHandler, repoRoot } from "@polaris/local/gateway";
import { Search } from "@polaris/core";
import { down, up } from "@polaris/infra-local/services";

/**
 * Faults on the parity profile: OpenSearch and PostgreSQL stopped and started under a running app,
 * S3 notifications delivered twice at once and out of order, and a process killed between commit
 * and publish. (Sequential duplicate notifications and a simulated crash before publish are in
 * parity/uploads.test.ts and parity/indexer.test.ts.)
 */

let app: TestApp;
beforeAll(async () => {
  // A quick sweeper: the killed process's event must reach the index without any request's help.
  app = await startTestApp({ OUTBOX_SWEEP_MS: "500" }, undefined, "parity");
});
afterAll(async () => {
  // Whatever a failed test left stopped is started again for the files after this one.
  await up(["postgres", "opensearch"]);
  await app?.close();
});

const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });
const userIdOf = async (token: string) => (await app.call("GET", "/usercenter/v1/user/info", { token })).body.data.userInfo.id as number;

async function until(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The user's items as search sees them, and as the database holds them: they must be the same. */
async function searchView(token: string) {
  const res = await app.call("GET", "/search/v1/search/files", { token, query: { pageSize: 1000, sortBy: "name" } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.data.list as { identity: string; name: string; parentId: string; size: number; isDir: boolean }[])
    .map(({ identity, name, parentId, size, isDir }) => ({ identity, name, parentId, size, isDir }))
    .sort((a, b) => a.identity.localeCompare(b.identity));
}
async function databaseView(userId: number) {
  const rows = await app.deps.db
    .selectFrom("files as f")
    .leftJoin("files as p", "p.id", "f.parent_id")
    .select(["f.identity", "f.name", "p.identity as parent", "f.size", "f.is_dir"])
    .where("f.user_id", "=", userId)
    .where("f.status", "=", "active")
    .execute();
  return rows
    .map((r) => ({ identity: r.identity, name: r.name, parentId: r.parent ?? "0", size: r.size, isDir: r.is_dir }))
    .sort((a, b) => a.identity.localeCompare(b.identity));
}

describe("OpenSearch stopped during writes", () => {
  it("keeps taking writes, answers search with 503 500001, and ends with the index equal to the database", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const docs = await createFolder(app, token, "docs");
    const before = await uploadFile(app, token, bytes(700, 501), { name: "before.txt", parentId: docs });
    await app.background.idle();
    await app.deps.searchIndex!.refresh();
    expect(await searchView(token)).toEqual(await databaseView(userId));

    await down(["opensearch"]);
    try {
      const during = await createFolder(app, token, "during");
      await uploadFile(app, token, bytes(800, 502), { name: "during.txt", parentId: during });
      const gone = await createFolder(app, token, "gone");
      for (const [path, body] of [
        ["/file/v1/file/rename", { identity: before, name: "renamed.txt" }],
        ["/file/v1/file/move", { identities: [docs], targetId: during }],
        ["/file/v1/file/delete", { identities: [gone] }],
      ] as const)
        expect((await post(token, path, body)).status, path).toBe(200);
      expect(await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "during" } })).toMatchObject({
        status: 503,
        body: { code: 500001 },
      });
      expect(await app.call("GET", "/search/v1/search/stats", { token })).toMatchObject({ status: 503, body: { code: 500001 } });
    } finally {
      await up(["opensearch"]);
    }
    // The indexer's messages failed meanwhile (and may have gone to the dead-letter queue): the
    // database is the system of record, and reindexing the user repairs the index from it.
    await app.background.idle();
    await Search.reindex(app.deps, { userId });
    await app.deps.searchIndex!.refresh();
    expect(await searchView(token)).toEqual(await databaseView(userId));
  });
});

describe("S3 notifications", () => {
  it("make one file of an upload whose event arrives twice at once, out of order, beside the client's callback", async () => {
    const { token } = await app.signUp();
    const contents = [bytes(1200, 503), bytes(1300, 504)];
    const uploads = await Promise.all(
      contents.map(async (content, i) => {
        const presign = await post(token, "/file/v1/upload/presign", {
          hash: sha256(content),
          size: content.length,
          name: `twice-${i}.bin`,
        });
        const put = await fetch(presign.body.data.uploadUrl, { method: "PUT", headers: presign.body.data.headers, body: content });
        expect(put.status).toBe(200);
        return app.deps.db
          .selectFrom("uploads")
          .selectAll()
          .where("upload_key", "=", presign.body.data.uploadKey)
          .executeTakeFirstOrThrow();
      }),
    );
    const handler = await loadModuleHandler<(event: SQSEvent) => Promise<SQSBatchResponse>>("functions/events/upload-created.ts");
    // What two consumers get when S3 delivers an event twice: the second upload's first.
    const notify = (objectKey: string) =>
      handler(
        sqsEvent(
          JSON.stringify({
            Records: [
              { eventName: "ObjectCreated:Put", s3: { object: { key: new URLSearchParams({ k: objectKey }).toString().slice(2) } } },
            ],
          }),
        ),
      );
    const [notified, confirmed] = await Promise.all([
      Promise.all([1, 0, 1, 0].map((i) => notify(uploads[i].object_key))),
      Promise.all(uploads.map((u) => post(token, "/file/v1/upload/callback", { uploadKey: u.upload_key }))),
    ]);
    expect(notified.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(confirmed.map((r) => r.status)).toEqual([200, 200]);
    await app.background.idle();

    const rows = await app.deps.db
      .selectFrom("uploads")
      .select(["status", "file_id"])
      .where(
        "id",
        "in",
        uploads.map((u) => u.id),
      )
      .execute();
    expect(rows.map((r) => r.status)).toEqual(["completed", "completed"]);
    for (const content of contents) {
      expect(await app.deps.db.selectFrom("files").select("id").where("blob_sha256", "=", sha256(content)).execute()).toHaveLength(1);
    }
    expect(await quota(app, token)).toMatchObject({ usedSize: 2500, reservedSize: 0 });
    const created = await app.deps.db.selectFrom("outbox").select("payload").where("type", "=", "file.created").execute();
    for (const { file_id } of rows)
      expect(created.filter((e) => (e.payload as { fileIds: number[] }).fileIds.includes(file_id!))).toHaveLength(1);
  });
});

describe("a process killed between commit and publish", () => {
  it("has its change delivered by the sweeper", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const env = Object.fromEntries(
      Object.entries(app.deps.config)
        .filter(([, v]) => v !== undefined && typeof v !== "object")
        .map(([k, v]) => [k, String(v)]),
    );
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures", "commit-and-die.ts"), String(userId), "killed before publish"],
      {
        cwd: repoRoot,
        env: { ...process.env, ...env, LOG_LEVEL: "SILENT" },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    expect(await new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)))).toBe("SIGKILL");
    const row = await app.deps.db
      .selectFrom("files")
      .select(["id", "identity"])
      .where("user_id", "=", userId)
      .where("name", "=", "killed before publish")
      .executeTakeFirstOrThrow();

    // No request of this app publishes (GETs never do): only the sweeper can.
    const found = async () =>
      (await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "killed" } })).body.data?.list?.[0]?.identity ===
      row.identity;
    await until("the sweeper to publish and the indexer to index the folder", async () => {
      await app.deps.searchIndex!.refresh();
      return found();
    });
    const events = await app.deps.db.selectFrom("outbox").select(["payload", "sent_at"]).where("type", "=", "file.created").execute();
    expect(events.filter((e) => (e.payload as { fileIds: number[] }).fileIds.includes(row.id)).map((e) => e.sent_at !== null)).toEqual([
      true,
    ]);
  });
});

describe("PostgreSQL restarted mid-run", () => {
  it("serves the next requests, and leaves nothing half-written", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const statuses: number[] = [];
    let running = true;
    // Writes keep coming while the server goes down and comes back.
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        const answers = await Promise.all([
          post(token, "/file/v1/folder/create", { name: `f${i}` }).then((r) => r.status),
          upload(app, token, bytes(600 + i, 600 + i), { name: `u${i}.bin` }).then(
            (r) => r.callback?.status ?? r.presign.status,
            () => 0,
          ),
        ]);
        statuses.push(...answers);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await down(["postgres"]);
    await new Promise((r) => setTimeout(r, 1000));
    await up(["postgres"]);
    running = false;
    await traffic;
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200).length, "some requests met the stopped server").toBeGreaterThan(0);

    // The next requests succeed.
    expect((await post(token, "/file/v1/folder/create", { name: "after" })).status).toBe(200);
    await uploadFile(app, token, bytes(999, 699), { name: "after.bin" });
    await app.background.idle();

    // Nothing half-written: usage is the files' sizes, reservations are the open sessions', every
    // completed session has its file, every file its creation event and its blob reference.
    const user = await app.deps.db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    const files = await app.deps.db
      .selectFrom("files")
      .select(["id", "size", "blob_sha256"])
      .where("user_id", "=", userId)
      .where("status", "=", "active")
      .execute();
    const sessions = await app.deps.db
      .selectFrom("uploads")
      .select(["status", "reserved", "file_id"])
      .where("user_id", "=", userId)
      .execute();
    expect(user.quota_used).toBe(files.reduce((sum, f) => sum + f.size, 0));
    expect(user.quota_reserved).toBe(sessions.filter((s) => s.status === "pending").reduce((sum, s) => sum + s.reserved, 0));
    const ids = new Set(files.map((f) => f.id));
    expect(sessions.filter((s) => s.status === "completed" && !ids.has(s.file_id!))).toEqual([]);
    const created = new Set(
      (await app.deps.db.selectFrom("outbox").select("payload").where("type", "=", "file.created").execute()).flatMap(
        (e) => (e.payload as { fileIds: number[] }).fileIds,
      ),
    );
    expect(files.filter((f) => !created.has(f.id))).toEqual([]);
    for (const f of files.filter((f) => f.blob_sha256)) {
      const refs = await app.deps.db
        .selectFrom("files")
        .select("id")
        .where("blob_sha256", "=", f.blob_sha256)
        .where("status", "<>", "purged")
        .execute();
      expect(
        (await app.deps.db.selectFrom("blobs").select("ref_count").where("sha256", "=", f.blob_sha256!).executeTakeFirstOrThrow())
          .ref_count,
      ).toBe(refs.length);
    }
  });
});
