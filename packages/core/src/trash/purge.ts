import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { dropBlobReferences } from "../blobs";
import { recordEvent } from "../events";
import { lockUserTree } from "../files/tree";
import { dropVersions } from "../files/versions/prune";
import { releaseUsage } from "../quota";

/**
 * Purges trash batches of one user for good: rows become `purged`, quota is released, blob
 * references drop and objects that nobody references any more are deleted after commit.
 */
export async function purgeBatches(deps: CoreDeps, userId: number, batches: string[]) {
  if (batches.length === 0) return 0;
  const objectKeys = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    return purgeInTransaction(trx, userId, batches);
  });
  if (objectKeys.length) await deps.storage.delete(objectKeys);
  return batches.length;
}

async function purgeInTransaction(trx: Db, userId: number, batches: string[]) {
  const purged = await trx
    .updateTable("files")
    .set({ status: "purged", version: sql`version + 1`, updated_at: sql`now()` })
    .where("user_id", "=", userId)
    .where("trash_batch", "in", batches)
    .where("status", "=", "trashed")
    .returning(["id", "size", "blob_sha256", "trash_root"])
    .execute();
  if (purged.length === 0) return [];
  // A file's previous versions go with it: their references and bytes too.
  const versions = await dropVersions(
    trx,
    userId,
    "file_id",
    purged.map((f) => f.id),
  );
  await releaseUsage(
    trx,
    userId,
    purged.reduce((sum, f) => sum + Number(f.size), versions.bytes),
  );
  const perBlob = versions.perBlob;
  for (const f of purged) if (f.blob_sha256) perBlob.set(f.blob_sha256, (perBlob.get(f.blob_sha256) ?? 0) + 1);
  // Purged rows keep no reference: the blob may be deleted once nothing active or trashed points at it.
  await trx
    .updateTable("files")
    .set({ blob_sha256: null })
    .where(
      "id",
      "in",
      purged.map((f) => f.id),
    )
    .execute();
  const keys = await dropBlobReferences(trx, perBlob);
  // Every batch has its root, so the roots name the whole purged set.
  await recordEvent(trx, "file.purged", { userId, fileIds: purged.filter((f) => f.trash_root).map((f) => f.id), subtree: true });
  return keys;
}
