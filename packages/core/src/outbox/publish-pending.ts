import { sql } from "kysely";
import type { CoreDeps } from "../deps";

type PublishDeps = Pick<CoreDeps, "db" | "events">;

/** How long a publisher's claim on rows lasts: a publisher that died holding one leaves them to the next sweep after it. */
const CLAIM_SECONDS = 30;

/**
 * Publishes unsent outbox rows, oldest first, and marks the ones the bus accepted as sent; the rest
 * are released at once for the next publisher, so consumers get every event at least once.
 *
 * Two statements, no transaction held open across the bus call (it was five statements: begin, take
 * the rows FOR UPDATE, a setting, the mark, commit, after every write request): the first claims
 * the rows (FOR UPDATE SKIP LOCKED, then a lease of CLAIM_SECONDS), so concurrent publishers (the
 * kick after each request, the sweeper) take disjoint rows; the second marks them. Neither commit
 * waits for the disk: a claim or a mark lost in a crash only makes these rows publish again, which
 * consumers take (at least once), and the request's own commit stays durable.
 */
export async function publishPending(deps: PublishDeps, limit: number) {
  const { rows } = await sql<{ id: number; type: string; payload: Record<string, unknown>; created_at: Date }>`
    with unflushed as materialized (select set_config('synchronous_commit', 'off', true))
    update outbox set claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
    from unflushed
    where id in (
      select id from outbox where sent_at is null and (claimed_until is null or claimed_until < now())
      order by id limit ${limit} for update skip locked
    )
    returning id, type, payload, created_at`.execute(deps.db);
  if (rows.length === 0) return { published: 0, failed: 0 };
  rows.sort((a, b) => a.id - b.id);
  const ids = rows.map((r) => r.id);
  let rejected: Set<number>;
  try {
    rejected = new Set(
      (await deps.events.publish(rows.map((r) => ({ id: r.id, type: r.type, payload: r.payload, time: r.created_at })))).failed,
    );
  } catch (error) {
    await release(deps, ids).catch(() => undefined); // else the lease runs out
    throw error;
  }
  const sent = ids.filter((id) => !rejected.has(id));
  await sql`
    with unflushed as materialized (select set_config('synchronous_commit', 'off', true))
    update outbox set sent_at = case when id = any(${sent}::bigint[]) then now() end, claimed_until = null
    from unflushed where id = any(${ids}::bigint[])`.execute(deps.db);
  return { published: sent.length, failed: rows.length - sent.length };
}

const release = (deps: PublishDeps, ids: number[]) =>
  sql`update outbox set claimed_until = null where id = any(${ids}::bigint[])`.execute(deps.db);
