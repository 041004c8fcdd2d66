import { sql } from "kysely";
import type { CoreDeps } from "../deps";

type PublishDeps = Pick<CoreDeps, "db" | "events">;

/**
 * Publishes unsent outbox rows, oldest first, and marks the ones the bus accepted as sent. The rows are
 * taken FOR UPDATE SKIP LOCKED in one transaction, so concurrent publishers (the kick after each request,
 * the sweeper) take disjoint rows; a crash before commit leaves them unsent for the next publisher, so
 * consumers get every event at least once.
 */
export async function publishPending(deps: PublishDeps, limit: number) {
  return deps.db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("outbox")
      .select(["id", "type", "payload", "created_at"])
      .where("sent_at", "is", null)
      .orderBy("id")
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return { published: 0, failed: 0 };
    const { failed } = await deps.events.publish(
      rows.map((r) => ({ id: r.id, type: r.type, payload: r.payload as Record<string, unknown>, time: r.created_at })),
    );
    const rejected = new Set(failed);
    const sent = rows.filter((r) => !rejected.has(r.id)).map((r) => r.id);
    if (sent.length) {
      // The mark need not wait for the disk: lost in a crash, it only makes these rows publish again,
      // which consumers take (at least once). The request's own commit stays durable; this saves
      // every write request a second WAL flush.
      await sql`set local synchronous_commit = off`.execute(trx);
      await trx.updateTable("outbox").set({ sent_at: sql`now()` }).where("id", "in", sent).execute();
    }
    return { published: sent.length, failed: rows.length - sent.length };
  });
}
