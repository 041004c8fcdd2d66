import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Files, Outbox, recordEvent, type EventBus, type OutboxEvent } from "@polaris/core";
import { sqsEvent } from "@polaris/local/background";
import { loadModuleHandler } from "@polaris/local/gateway";
import { createFolder, startTestApp, type TestApp } from "./support";

let app: TestApp;
beforeAll(async () => {
  // The app's sweeper stays out of the way: these tests run the publisher themselves. It sweeps once
  // at start (rows a crash left), which must not land in the middle of a test.
  app = await startTestApp({ OUTBOX_SWEEP_MS: String(3_600_000) });
  await app.background.idle();
});
afterAll(() => app?.close());

const userIdOf = async (token: string) => (await app.call("GET", "/usercenter/v1/user/info", { token })).body.data.userInfo.id as number;

/**
 * A fresh user, once the consumers its sign-up's events reached are done: they publish the outbox
 * after each batch, and on parity one that ran a moment later took a test's rows mid-test.
 */
async function newUser() {
  const { token } = await app.signUp();
  const userId = await userIdOf(token);
  await app.background.idle();
  return { token, userId };
}

/** A bus that keeps what it is given, optionally slowly, optionally refusing some events. */
function capturingBus(options: { delayMs?: number; refuse?: (event: OutboxEvent) => boolean } = {}) {
  const published: OutboxEvent[] = [];
  const bus: EventBus = {
    async publish(events) {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const refused = events.filter((e) => options.refuse?.(e));
      published.push(...events.filter((e) => !refused.includes(e)));
      return { failed: refused.map((e) => e.id) };
    },
  };
  return { bus, published };
}

const unsent = async () => (await app.deps.db.selectFrom("outbox").select("id").where("sent_at", "is", null).execute()).map((r) => r.id);

describe("outbox", () => {
  it("publishes a request's events right after it commits", async () => {
    const { token } = await app.signUp();
    const folder = await createFolder(app, token, "kicked");
    const row = await app.deps.db.selectFrom("files").select("id").where("identity", "=", folder).executeTakeFirstOrThrow();
    const events = await app.deps.db.selectFrom("outbox").selectAll().where("type", "=", "file.created").execute();
    const event = events.find((e) => (e.payload as { fileIds: number[] }).fileIds.includes(row.id))!;
    expect(event.payload).toEqual({ userId: await userIdOf(token), fileIds: [row.id], subtree: false });
    expect(event.sent_at).toBeInstanceOf(Date);
  });

  it("recovers a crash between commit and publish through the sweeper", async () => {
    const { userId } = await newUser();
    // The use case commits its change and outbox row; no request ends, so nothing publishes them.
    const { file } = await Files.createFolder(app.deps, userId, { name: "orphan" });
    const pending = await unsent();
    expect(pending.length).toBeGreaterThan(0);

    const { bus, published } = capturingBus();
    const swept = await Outbox.sweepOutbox({ db: app.deps.db, events: bus });
    expect(swept.published).toBe(pending.length);
    expect(published.map((e) => e.id)).toEqual(pending);
    expect(published.at(-1)).toMatchObject({ type: "file.created", payload: { userId, fileIds: [file.id], subtree: false } });
    expect(await unsent()).toEqual([]);
    // Published rows are not published again.
    expect((await Outbox.sweepOutbox({ db: app.deps.db, events: bus })).published).toBe(0);
  });

  it("keeps the rows the bus refused for the next publisher", async () => {
    const { userId } = await newUser();
    for (let i = 0; i < 4; i++) await Files.createFolder(app.deps, userId, { name: `refused-${i}` });
    const pending = await unsent();
    const { bus, published } = capturingBus({ refuse: (e) => e.id % 2 === 0 });
    const result = await Outbox.publishPending({ db: app.deps.db, events: bus }, 100);
    expect(result).toEqual({ published: published.length, failed: pending.length - published.length });
    expect(await unsent()).toEqual(pending.filter((id) => id % 2 === 0));
    await Outbox.sweepOutbox(app.deps);
    expect(await unsent()).toEqual([]);
  });

  it("leaves the rows of a publisher that died holding them to the next one once its lease ends, and releases them when the bus throws", async () => {
    const { userId } = await newUser();
    await Files.createFolder(app.deps, userId, { name: "claimed" });
    const pending = await unsent();
    // A publisher claimed them and died: nobody takes them while its lease runs.
    await app.deps.db
      .updateTable("outbox")
      .set({ claimed_until: new Date(Date.now() + 60_000) })
      .where("id", "in", pending)
      .execute();
    const { bus, published } = capturingBus();
    expect((await Outbox.publishPending({ db: app.deps.db, events: bus }, 100)).published).toBe(0);
    await app.deps.db
      .updateTable("outbox")
      .set({ claimed_until: new Date(Date.now() - 1) })
      .where("id", "in", pending)
      .execute();
    const down: EventBus = { publish: () => Promise.reject(new Error("bus unreachable")) };
    await expect(Outbox.publishPending({ db: app.deps.db, events: down }, 100)).rejects.toThrow("bus unreachable");
    // Released at once, not held for a lease: the next publisher takes them.
    expect((await Outbox.publishPending({ db: app.deps.db, events: bus }, 100)).published).toBe(pending.length);
    expect(published.map((e) => e.id)).toEqual(pending);
    expect(await unsent()).toEqual([]);
  });

  it("lets concurrent publishers take disjoint rows", async () => {
    const { userId } = await newUser();
    await app.deps.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) await recordEvent(trx, "file.renamed", { userId, fileIds: [i + 1], subtree: false });
    });
    const pending = await unsent();
    const { bus, published } = capturingBus({ delayMs: 20 });
    await Promise.all(Array.from({ length: 6 }, () => Outbox.sweepOutbox({ db: app.deps.db, events: bus })));
    const ids = published.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort((a, b) => a - b)).toEqual(pending);
  });
});

describe("search indexer handler", () => {
  const indexer = () => loadModuleHandler<(event: SQSEvent) => Promise<SQSBatchResponse>>("functions/events/search-indexer.ts");
  const envelope = (type: string, detail: unknown) =>
    JSON.stringify({ version: "0", id: crypto.randomUUID(), "detail-type": type, source: "polaris", detail });

  it("reports poisoned messages as batch item failures and consumes the rest", async () => {
    const bodies = [
      envelope("file.created", { userId: 1, fileIds: [1], subtree: false, outboxId: 1 }),
      "{not json",
      envelope("file.moved", { userId: 1, fileIds: "all" }),
      envelope("share.created", { userId: 1, shareIdentities: [crypto.randomUUID()] }),
      envelope("something.else", {}),
    ];
    const event: SQSEvent = { Records: bodies.map((body) => sqsEvent(body).Records[0]) };
    const result = await (await indexer())(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([event.Records[1].messageId, event.Records[2].messageId]);
  });
});
