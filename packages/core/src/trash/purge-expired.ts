import type { CoreDeps } from "../deps";
import { purgeBatches } from "./purge";

/** The retention job: purges the batch only if it is still in the bin and its time has come. */
export async function purgeExpiredBatch(deps: CoreDeps, batch: string) {
  const root = await deps.db
    .selectFrom("files")
    .select(["user_id", "purge_at"])
    .where("trash_batch", "=", batch)
    .where("status", "=", "trashed")
    .where("trash_root", "=", true)
    .executeTakeFirst();
  if (!root?.purge_at || root.purge_at.getTime() > deps.clock.now().getTime()) return { purged: false };
  await purgeBatches(deps, root.user_id, [batch]);
  return { purged: true };
}
