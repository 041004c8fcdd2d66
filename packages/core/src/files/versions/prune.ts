import { dropBlobReferences } from "../../blobs";
import type { CoreDeps } from "../../deps";
import type { Db } from "../../db/schema";
import { releaseUsage } from "../../quota";
import { lockUserTree } from "../tree";
import { schedulePrune } from "./shared";

const DAY_MS = 86_400_000;

/**
 * Deletes the previous versions of files (being purged, or past retention): returns the bytes they
 * used and the object keys nobody references any more, which the caller deletes after commit.
 */
export async function dropVersions(trx: Db, userId: number, by: "file_id" | "id", ids: number[]) {
  const gone = await trx
    .deleteFrom("file_versions")
    .where("user_id", "=", userId)
    .where(by, "in", ids)
    .returning(["blob_sha256", "size"])
    .execute();
  const perBlob = new Map<string, number>();
  for (const v of gone) perBlob.set(v.blob_sha256, (perBlob.get(v.blob_sha256) ?? 0) + 1);
  return { count: gone.length, bytes: gone.reduce((sum, v) => sum + Number(v.size), 0), perBlob };
}

/**
 * The retention job of one file: keeps its newest VERSION_KEEP_COUNT previous versions and those
 * replaced within VERSION_KEEP_DAYS, and comes back when the oldest kept one reaches the age limit.
 */
export async function pruneVersions(deps: CoreDeps, fileIdentity: string) {
  const { versionKeepCount: keep, versionKeepDays: days } = deps.settings.files;
  const file = await deps.db.selectFrom("files").select(["id", "user_id"]).where("identity", "=", fileIdentity).executeTakeFirst();
  if (!file) return { pruned: 0 };
  const now = deps.clock.now().getTime();
  const { keys, pruned, next } = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, file.user_id);
    const rows = await trx
      .selectFrom("file_versions")
      .select(["id", "replaced_at"])
      .where("file_id", "=", file.id)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .execute();
    const expired = (r: (typeof rows)[number]) => days > 0 && r.replaced_at.getTime() <= now - days * DAY_MS;
    const doomed = rows.filter((r, i) => (keep > 0 && i >= keep) || expired(r));
    const kept = rows.filter((r) => !doomed.includes(r));
    const oldest = Math.min(...kept.map((r) => r.replaced_at.getTime()));
    const next = days > 0 && kept.length ? new Date(oldest + days * DAY_MS) : null;
    if (!doomed.length) return { keys: [], pruned: 0, next };
    const { count, bytes, perBlob } = await dropVersions(
      trx,
      file.user_id,
      "id",
      doomed.map((r) => r.id),
    );
    await releaseUsage(trx, file.user_id, bytes);
    return { keys: await dropBlobReferences(trx, perBlob), pruned: count, next };
  });
  if (keys.length) await deps.storage.delete(keys);
  if (next) await schedulePrune(deps, fileIdentity, next);
  return { pruned };
}
