import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { lockUserTree, ownedItems, subtreeIds, topLevelOnly } from "../files/tree";

/**
 * Moves items and their active descendants to the recycle bin. Each item the user picked is the
 * root of its own batch, which is restored or purged as one, and purged by a job when retention ends.
 */
export async function moveToTrash(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.delete>) {
  const now = deps.clock.now();
  const purgeAt = new Date(now.getTime() + deps.settings.files.trashRetentionSeconds * 1000);
  const batches = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    const items = await topLevelOnly(trx, await ownedItems(trx, userId, input.identities));
    const created: string[] = [];
    for (const item of items) {
      const batch = randomUUID();
      created.push(batch);
      await trx
        .updateTable("files")
        .set({
          status: "trashed",
          trash_batch: batch,
          trash_root: sql`id = ${item.id}`,
          trashed_at: now,
          purge_at: purgeAt,
          version: sql`version + 1`,
          updated_at: sql`now()`,
        })
        .where(sql<boolean>`id in (${subtreeIds([item.id], "active")})`)
        .where("status", "=", "active")
        .execute();
    }
    await recordEvent(trx, "file.trashed", { userId, fileIds: items.map((i) => i.id), subtree: true });
    return created;
  });
  await Promise.all(
    batches.map((batch) =>
      deps.scheduler.schedule({ name: `trash-purge-${batch}`, type: "trash.purge", payload: { batch }, runAt: purgeAt }),
    ),
  );
  return { deletedCount: batches.length };
}
