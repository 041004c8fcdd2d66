import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import { publishPending } from "./publish-pending";

const BATCH = 100;
/** Sent rows are kept a day: long enough for a full reindex to replay what happened while it ran. */
const KEEP_SENT_HOURS = 24;

/**
 * The sweeper (every minute): republishes whatever no request published (a crash between commit and
 * publish, a bus outage) until the backlog is empty or the bus refuses a whole batch, and drops old sent rows.
 */
export async function sweepOutbox(deps: Pick<CoreDeps, "db" | "events">) {
  let published = 0;
  let failed = 0;
  for (;;) {
    const batch = await publishPending(deps, BATCH);
    published += batch.published;
    failed += batch.failed;
    if (batch.published === 0 || batch.published + batch.failed < BATCH) break;
  }
  const pruned = await deps.db
    .deleteFrom("outbox")
    .where("sent_at", "<", sql<Date>`now() - make_interval(hours => ${KEEP_SENT_HOURS})`)
    .executeTakeFirst();
  return { published, failed, pruned: Number(pruned.numDeletedRows) };
}
