import { sql } from "kysely";
import type { Db } from "../db/schema";
import type { SearchDocument } from "../ports";
import { ROOT } from "../files/tree";

export interface FolderPath {
  /** "/" for the root, else "/Docs/2025". */
  path: string;
  /** Folder ids from the root down to the folder itself. */
  ancestors: number[];
}

/** The path of each folder, walking up to the root in one recursive query (names never contain "/"). */
export async function folderPaths(db: Db, folderIds: number[]): Promise<Map<number, FolderPath>> {
  const paths = new Map<number, FolderPath>([[ROOT, { path: "/", ancestors: [] }]]);
  const ids = [...new Set(folderIds)].filter((id) => id !== ROOT);
  if (ids.length === 0) return paths;
  const rows = await sql<{ start: number; ids: (number | string)[]; names: string[] }>`
    with recursive up(start, id, parent_id, name, depth) as (
      select id, id, parent_id, name, 0 from files where id = any(${ids}::bigint[])
      union all
      select up.start, f.id, f.parent_id, f.name, up.depth + 1 from files f join up on f.id = up.parent_id
    )
    select start, array_agg(id order by depth desc) as ids, array_agg(name order by depth desc) as names
    from up group by start`.execute(db);
  for (const row of rows.rows) {
    paths.set(Number(row.start), { path: `/${row.names.join("/")}`, ancestors: row.ids.map(Number) });
  }
  return paths;
}

/** The rows with these ids as search documents, with their folder paths. */
export async function loadDocuments(db: Db, ids: number[]): Promise<SearchDocument[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("files as f")
    .leftJoin("files as p", "p.id", "f.parent_id")
    .select([
      "f.id",
      "f.identity",
      "f.user_id",
      "f.parent_id",
      "f.name",
      "f.ext",
      "f.size",
      "f.is_dir",
      "f.mime_type",
      "f.status",
      "f.created_at",
      "f.updated_at",
      "f.version",
      "p.identity as parent_identity",
    ])
    .where("f.id", "in", ids)
    .execute();
  const paths = await folderPaths(
    db,
    rows.map((r) => r.parent_id),
  );
  return rows.map((row) => {
    // A parent purged meanwhile has no path any more; the row itself is on its way out of the index then.
    const parent = paths.get(row.parent_id) ?? { path: "/", ancestors: [] };
    return {
      id: row.id,
      identity: row.identity,
      userId: row.user_id,
      parentId: row.parent_id,
      parentIdentity: row.parent_identity ?? "0",
      ancestors: parent.ancestors,
      path: parent.path,
      name: row.name,
      ext: row.ext,
      size: row.size,
      isDir: row.is_dir,
      mimeType: row.mime_type,
      status: row.status,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    };
  });
}

/**
 * The items an event names and, for subtree events, everything below them that is not purged, plus the
 * rows purged in the same trash batches as purged roots (their descendants are purged too, so the walk
 * through live rows does not reach them).
 */
export async function affectedIds(db: Db, fileIds: number[], subtree: boolean): Promise<number[]> {
  if (!subtree) return [...new Set(fileIds)];
  const rows = await sql<{ id: number }>`
    with recursive tree(id) as (
      select id from files where id = any(${fileIds}::bigint[])
      union
      select f.id from files f join tree t on f.parent_id = t.id where f.status <> 'purged'
    )
    select id from tree
    union
    select id from files where trash_batch in (
      select trash_batch from files where id = any(${fileIds}::bigint[]) and status = 'purged' and trash_batch is not null
    )`.execute(db);
  return rows.rows.map((r) => Number(r.id));
}

/** Every row that belongs in a rebuilt index (all but purged ones), in id order, a page at a time. */
export async function* allDocuments(db: Db, options: { userId?: number; pageSize: number }): AsyncGenerator<SearchDocument[]> {
  let after = 0;
  for (;;) {
    let page = db.selectFrom("files").select("id").where("status", "<>", "purged").where("id", ">", after);
    if (options.userId !== undefined) page = page.where("user_id", "=", options.userId);
    const ids = (await page.orderBy("id").limit(options.pageSize).execute()).map((r) => r.id);
    if (ids.length === 0) return;
    yield await loadDocuments(db, ids);
    after = ids[ids.length - 1];
  }
}
