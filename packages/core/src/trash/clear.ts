import type { CoreDeps } from "../deps";
import { purgeBatches } from "./purge";

export async function clearTrash(deps: CoreDeps, userId: number) {
  const rows = await deps.db
    .selectFrom("files")
    .select("trash_batch")
    .where("user_id", "=", userId)
    .where("status", "=", "trashed")
    .where("trash_root", "=", true)
    .execute();
  return {
    deletedCount: await purgeBatches(
      deps,
      userId,
      rows.map((r) => r.trash_batch!),
    ),
  };
}
