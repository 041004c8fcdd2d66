import { sql } from "kysely";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { copySubtrees } from "../files/copy";
import { ancestorsOf } from "../files/move";
import { lockUserTree, resolveFolder, subtreeIds, topLevelOnly } from "../files/tree";
import { itemsInShare, openShare } from "./access";
import { assertNotPreviewOnly } from "./limits";

/**
 * Links items of a share (whole subtrees) into the saver's folder in one transaction: no bytes are
 * copied, blob references rise, name clashes get " (n)", and the whole set must fit in the saver's
 * quota before anything is written. The owner may save their own share without its code.
 */
export async function save(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.save> & { clientAddress: string }) {
  const share = await openShare(deps, input, userId);
  assertNotPreviewOnly(share);
  return deps.db.transaction().execute(async (trx) => {
    // Both trees stay still while we copy: the owner cannot purge a source, the saver cannot move the target.
    for (const id of [...new Set([share.user_id, userId])].sort((a, b) => a - b)) await lockUserTree(trx, id);
    const ids = await itemsInShare(trx, share, input.fileIdentities);
    const items = await topLevelOnly(trx, await trx.selectFrom("files").selectAll().where("id", "in", ids).execute());
    const targetId = await resolveFolder(trx, userId, input.targetFolderId);
    if (userId === share.user_id) {
      const ancestors = await ancestorsOf(trx, targetId);
      if (items.some((item) => item.is_dir && ancestors.has(item.id)))
        fail("MOVE_INTO_SELF", "cannot save a folder into itself or its descendants");
    }
    await assertFits(
      trx,
      userId,
      items.map((i) => i.id),
    );
    const { count, rootIds } = await copySubtrees(trx, items, userId, targetId);
    await trx.updateTable("shares").set({ save_num: sql`save_num + 1` }).where("id", "=", share.id).execute();
    await recordEvent(trx, "file.created", { userId, fileIds: rootIds, subtree: true });
    await recordEvent(trx, "share.saved", { userId, shareIdentity: share.identity, fileIds: rootIds });
    return { savedCount: count };
  });
}

/** The whole set against the saver's free space, before a single row is written. */
async function assertFits(db: Db, userId: number, rootIds: number[]) {
  const { rows } = await sql<{ bytes: number; free: number }>`
    select (select coalesce(sum(size), 0) from files where id in (${subtreeIds(rootIds, "active")})) as bytes,
           quota_total - quota_used - quota_reserved as free
    from users where id = ${userId}`.execute(db);
  const need = rows[0]!;
  if (Number(need.bytes) > Number(need.free))
    fail("QUOTA_EXCEEDED", `存储空间不足: the items need ${need.bytes} bytes, ${Math.max(0, Number(need.free))} are free`);
}
