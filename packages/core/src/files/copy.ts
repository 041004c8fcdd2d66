import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import { addBlobReferences } from "../blobs";
import type { CoreDeps } from "../deps";
import type { Db, FileRow } from "../db/schema";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { consumeQuota } from "../quota";
import { ancestorsOf } from "./move";
import { freeName, lockUserTree, ownedItems, resolveFolder, topLevelOnly } from "./tree";

/**
 * Copies whole subtrees of active items under `targetId` of `toUserId` in set-based SQL: new ids come
 * from the sequence inside one INSERT … SELECT, parents are remapped through the same mapping, and
 * blob reference counts and quota rise by what was copied. No bytes move. Shared with share-save.
 */
export async function copySubtrees(db: Db, roots: FileRow[], toUserId: number, targetId: number) {
  const taken = new Set<string>();
  const rootNames: string[] = [];
  for (const root of roots) {
    const name = await freeName(db, toUserId, targetId, root.name, root.is_dir, taken);
    taken.add(name);
    rootNames.push(name);
  }
  const rootIds = roots.map((r) => r.id);
  const result = await sql<{ id: number; blob_sha256: string | null; size: number }>`
    with recursive tree(id, depth) as (
      select id, 0 from files where id = any(${rootIds}::bigint[])
      union all
      select f.id, t.depth + 1 from files f join tree t on f.parent_id = t.id where f.status = 'active'
    ),
    mapping as (
      select id as old_id, nextval(pg_get_serial_sequence('files', 'id')) as new_id from tree
    ),
    root_names as (
      select * from unnest(${rootIds}::bigint[], ${rootNames}::text[]) as r(id, name)
    )
    insert into files (id, identity, user_id, parent_id, name, ext, is_dir, size, blob_sha256, mime_type)
    select m.new_id, gen_random_uuid(), ${toUserId},
           coalesce(pm.new_id, ${targetId}), coalesce(rn.name, f.name), f.ext, f.is_dir, f.size, f.blob_sha256, f.mime_type
    from tree t
    join files f on f.id = t.id
    join mapping m on m.old_id = f.id
    left join root_names rn on rn.id = f.id
    left join mapping pm on pm.old_id = f.parent_id and rn.id is null
    returning id, blob_sha256, size`.execute(db);
  const copied = result.rows;
  const bytes = copied.reduce((sum, row) => sum + Number(row.size), 0);
  await consumeQuota(db, toUserId, bytes);
  const perBlob = new Map<string, number>();
  for (const row of copied) if (row.blob_sha256) perBlob.set(row.blob_sha256, (perBlob.get(row.blob_sha256) ?? 0) + 1);
  // In sha256 order, as dropBlobReferences locks them (no deadlock with a purge).
  for (const [sha, count] of [...perBlob].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // The source rows hold references, so the blob cannot vanish under us.
    if (!(await addBlobReferences(db, sha, count))) throw new Error(`blob ${sha} vanished during a copy`);
  }
  const newRootIds = copied.length
    ? await db
        .selectFrom("files")
        .select("id")
        .where(
          "id",
          "in",
          copied.map((c) => Number(c.id)),
        )
        .where("parent_id", "=", targetId)
        .execute()
    : [];
  return { count: copied.length, rootIds: newRootIds.map((r) => r.id) };
}

export async function copy(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.copy>) {
  return deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    const targetId = await resolveFolder(trx, userId, input.targetId);
    const items = await topLevelOnly(trx, await ownedItems(trx, userId, input.identities));
    const ancestors = await ancestorsOf(trx, targetId);
    if (items.some((item) => item.is_dir && ancestors.has(item.id)))
      fail("MOVE_INTO_SELF", "cannot copy a folder into itself or its descendants");
    const { count, rootIds } = await copySubtrees(trx, items, userId, targetId);
    if (rootIds.length) await recordEvent(trx, "file.created", { userId, fileIds: rootIds, subtree: true });
    return { copiedCount: count };
  });
}
