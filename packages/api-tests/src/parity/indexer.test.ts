import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { eventBridgeEnvelope } from "@polaris/adapters";
import { createOpenSearchIndex, type OpenSearchIndex } from "@polaris/adapters/opensearch-index";
import { Files, Outbox, Search } from "@polaris/core";
import { bytes, createFolder, uploadFile, type TestApp } from "../support";
import { sqsEvent } from "@polaris/local/background";
import { loadModuleHandler } from "@polaris/local/gateway";
import { startOpenSearchApp } from "../support/opensearch-app";

let app: TestApp;
/** The app's index through a client of the test's own, which also reads and damages documents directly. */
let adapter: OpenSearchIndex;
beforeAll(async () => {
  // The embedded sweeper stays out of the way: the crash test runs it itself.
  app = await startOpenSearchApp({ OUTBOX_SWEEP_MS: String(3_600_000) });
  const { config } = app.deps;
  adapter = createOpenSearchIndex({ url: config.OPENSEARCH_URL!, alias: config.OPENSEARCH_INDEX, region: config.AWS_REGION });
});
afterAll(async () => {
  await adapter?.close();
  await app?.close();
});

const index = () => adapter;
const settle = async () => {
  await app.background.idle();
  await index().refresh();
};
const post = async (token: string, path: string, body: unknown) => {
  const res = await app.call("POST", path, { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const userIdOf = async (token: string) => (await app.call("GET", "/usercenter/v1/user/info", { token })).body.data.userInfo.id as number;
const indexer = () => loadModuleHandler<(event: SQSEvent) => Promise<SQSBatchResponse>>("functions/events/search-indexer.ts");
const batch = (bodies: string[]): SQSEvent => ({ Records: bodies.map((body) => sqsEvent(body).Records[0]) });

/** What the index holds for the user: version, name, path and status per document id. */
async function indexed(userId: number) {
  const { body } = await index().client.search({
    index: index().name,
    routing: String(userId),
    body: { size: 10_000, version: true, query: { term: { userId } } },
  });
  return new Map(
    body.hits.hits.map((hit) => {
      const doc = hit._source as { name: string; path: string; status: string };
      return [Number(hit._id), { version: hit._version, name: doc.name, path: doc.path, status: doc.status }];
    }),
  );
}

/** What the index must hold: every row of the user but the purged ones, at the row's version. */
async function expected(userId: number) {
  const ids = (await app.deps.db.selectFrom("files").select("id").where("user_id", "=", userId).execute()).map((r) => r.id);
  const docs = await Search.loadDocuments(app.deps.db, ids);
  return new Map(
    docs.filter((d) => d.status !== "purged").map((d) => [d.id, { version: d.version, name: d.name, path: d.path, status: d.status }]),
  );
}

/** A drive that went through every kind of change: uploads, renames, moves, copies, trash, restore, purge. */
async function busyDrive() {
  const { token } = await app.signUp();
  const userId = await userIdOf(token);
  const docs = await createFolder(app, token, "Docs");
  const inner = await createFolder(app, token, "Inner", docs);
  const a = await uploadFile(app, token, bytes(10, 1), { name: "a.txt", parentId: inner });
  const b = await uploadFile(app, token, bytes(11, 2), { name: "b.txt", parentId: docs });
  await post(token, "/file/v1/file/rename", { identity: a, name: "a2.txt" });
  await post(token, "/file/v1/file/rename", { identity: a, name: "a3.txt" });
  const archive = await createFolder(app, token, "Archive");
  await post(token, "/file/v1/file/move", { identities: [inner], targetId: archive });
  await post(token, "/file/v1/file/rename", { identity: archive, name: "Old" });
  await post(token, "/file/v1/file/copy", { identities: [archive], targetId: docs });
  await post(token, "/file/v1/file/delete", { identities: [b] });
  await post(token, "/file/v1/trash/restore", { identities: [b] });
  await post(token, "/file/v1/file/delete", { identities: [docs] });
  await post(token, "/file/v1/trash/delete", { identities: [docs] });
  await settle();
  return { token, userId };
}

describe("search indexer on OpenSearch", () => {
  it("keeps the index equal to the database through every kind of change", async () => {
    const { userId } = await busyDrive();
    expect(await indexed(userId)).toEqual(await expected(userId));
  });

  it("leaves the index equal to the database after duplicate and reordered events", async () => {
    const { userId } = await busyDrive();
    const events = (await app.deps.db.selectFrom("outbox").selectAll().orderBy("id").execute()).filter(
      (e) => (e.payload as { userId: number }).userId === userId,
    );
    expect(events.length).toBeGreaterThan(10);
    const bodies = events.map((e) =>
      JSON.stringify(
        eventBridgeEnvelope(
          { id: e.id, type: e.type, payload: e.payload as Record<string, unknown>, time: e.created_at },
          { account: "000000000000", region: "local" },
        ),
      ),
    );
    // Newest first, each twice, in one batch and then again one by one.
    const replay = [...bodies].reverse().flatMap((b) => [b, b]);
    expect((await (await indexer())(batch(replay))).batchItemFailures).toEqual([]);
    for (const body of replay) await (await indexer())(batch([body]));
    await index().refresh();
    expect(await indexed(userId)).toEqual(await expected(userId));
  });

  it("never lets an older version of a document replace a newer one", async () => {
    const { userId } = await busyDrive();
    const live = [...(await expected(userId)).keys()];
    const [current] = await Search.loadDocuments(app.deps.db, [live[0]]);
    await index().write([
      { ...current, name: "stale.txt", version: current.version - 1 },
      { ...current, name: "same-version.txt" },
    ]);
    await index().refresh();
    expect((await indexed(userId)).get(current.id)).toMatchObject({ name: current.name, version: current.version });
  });

  it("reports a poisoned message in batchItemFailures and indexes the rest of the batch", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    const { file } = await Files.createFolder(app.deps, userId, { name: "beside-the-poison" });
    const good = JSON.stringify({ "detail-type": "file.created", detail: { userId, fileIds: [file.id], subtree: false } });
    const event = batch(['{"detail-type":', good, JSON.stringify({ "detail-type": "file.renamed", detail: { userId } })]);
    const result = await (await indexer())(event);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0].messageId },
      { itemIdentifier: event.Records[2].messageId },
    ]);
    await index().refresh();
    expect((await indexed(userId)).get(file.id)).toMatchObject({ name: "beside-the-poison", status: "active" });
  });

  it("recovers a crash between commit and publish through the sweeper", async () => {
    const { token } = await app.signUp();
    const userId = await userIdOf(token);
    // The use case commits; without a request ending, nothing publishes its event.
    const { file } = await Files.createFolder(app.deps, userId, { name: "found-by-the-sweeper" });
    await settle();
    const search = () => app.call("GET", "/search/v1/search/files", { token, query: { keyword: "sweeper" } });
    expect((await search()).body.data.total).toBe(0);
    expect((await Outbox.sweepOutbox(app.deps)).published).toBeGreaterThan(0);
    await settle();
    expect((await search()).body.data.list).toMatchObject([{ identity: file.identity, name: "found-by-the-sweeper", path: "/" }]);
  });
});

describe("reindex", () => {
  it("rebuilds everything into a new index behind the alias", async () => {
    const { userId } = await busyDrive();
    // Damage: a document lost, a document that should not be there.
    const [lost] = (await expected(userId)).keys();
    await index().client.delete({ index: index().name, id: String(lost), routing: String(userId), refresh: true });
    await index().client.index({
      index: index().name,
      id: "999999",
      routing: String(userId),
      refresh: true,
      body: { id: 999999, userId, name: "ghost.txt", status: "active", path: "/", isDir: false, size: 1 },
    });
    const before = Object.keys((await index().client.indices.getAlias({ name: index().name })).body);

    const result = await Search.reindex(app.deps, { all: true });
    const after = Object.keys((await index().client.indices.getAlias({ name: index().name })).body);
    expect(after).toEqual([result.index]);
    expect(before).not.toContain(result.index);
    expect(await indexed(userId)).toEqual(await expected(userId));
    // The live indexer keeps writing through the alias.
    const { token } = await app.signUp();
    await createFolder(app, token, "after-the-swap");
    await settle();
    expect((await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "swap" } })).body.data.total).toBe(1);
  });

  it("repairs one user's documents in place", async () => {
    const { userId } = await busyDrive();
    const other = await busyDrive();
    const [first] = (await expected(userId)).keys();
    const [damaged] = await Search.loadDocuments(app.deps.db, [first]);
    // An event that never reached the index (dead-lettered, say): the row exists, its document does not.
    const { file: lost } = await Files.createFolder(app.deps, userId, { name: "lost-event" });
    await app.deps.db.updateTable("outbox").set({ sent_at: new Date() }).where("sent_at", "is", null).execute();
    // Same version, wrong name (a repair write is the only kind that overwrites an equal version).
    await index().repair([{ ...damaged, name: "damaged.txt" }]);
    await index().client.index({
      index: index().name,
      id: "888888",
      routing: String(userId),
      refresh: true,
      body: { id: 888888, userId, name: "ghost.txt", status: "active", path: "/", isDir: false, size: 1 },
    });
    const otherBefore = await indexed(other.userId);

    expect((await indexed(userId)).has(lost.id)).toBe(false);

    await Search.reindex(app.deps, { userId });
    await index().refresh();
    expect(await indexed(userId)).toEqual(await expected(userId));
    expect(await indexed(other.userId)).toEqual(otherBefore);
  });
});
