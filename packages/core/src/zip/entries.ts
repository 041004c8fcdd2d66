import { sql } from "kysely";
import type { Db } from "../db/schema";
import { suffixed } from "../files/names";

/**
 * The active items of the owner with these ids and everything active below them, each with its path
 * from its root (`Root/sub/file`) and, for files, the object holding its bytes.
 */
const tree = (ownerId: number, rootIds: number[]) => sql`
  with recursive tree(root_id, id, path, is_dir, size, blob_sha256, updated_at) as (
    select id, id, name::text, is_dir, size, blob_sha256, updated_at from files
    where id = any(${rootIds}::bigint[]) and user_id = ${ownerId} and status = 'active'
    union all
    select t.root_id, f.id, t.path || '/' || f.name, f.is_dir, f.size, f.blob_sha256, f.updated_at
    from files f join tree t on f.parent_id = t.id
    where t.is_dir and f.status = 'active'
  )`;

/** What a zip of these items would hold: its entries (files and folders) and its files' bytes. */
export async function zipTotals(db: Db, ownerId: number, rootIds: number[]) {
  const { rows } = await sql<{ entries: number; bytes: number }>`
    ${tree(ownerId, rootIds)}
    select count(*) as entries, coalesce(sum(size) filter (where not is_dir), 0) as bytes from tree`.execute(db);
  return { entries: Number(rows[0]!.entries), bytes: Number(rows[0]!.bytes) };
}

export interface ZipEntry {
  /** The path inside the zip: folders end with "/". */
  name: string;
  isDir: boolean;
  size: number;
  objectKey: string | null;
  date: Date;
}

/**
 * The zip's entries as the items are now (anything trashed since the job was made is left out),
 * parents before children. Roots with the same name (picked from different folders) get " (n)",
 * as they would side by side in one folder.
 */
export async function zipEntries(db: Db, ownerId: number, rootIds: number[]): Promise<ZipEntry[]> {
  const { rows } = await sql<{
    root_id: number;
    id: number;
    path: string;
    is_dir: boolean;
    size: number;
    object_key: string | null;
    updated_at: Date;
  }>`
    ${tree(ownerId, rootIds)}
    select t.root_id, t.id, t.path, t.is_dir, t.size, b.object_key, t.updated_at
    from tree t left join blobs b on b.sha256 = t.blob_sha256
    order by t.path, t.id`.execute(db);
  const rootNames = new Map<number, { from: string; to: string }>();
  const taken = new Set<string>();
  for (const row of rows) {
    if (Number(row.root_id) !== Number(row.id)) continue;
    let name = row.path;
    for (let n = 1; taken.has(name.toLowerCase()); n++) name = suffixed(row.path, n, row.is_dir);
    taken.add(name.toLowerCase());
    rootNames.set(Number(row.id), { from: row.path, to: name });
  }
  return rows.map((row) => {
    const root = rootNames.get(Number(row.root_id))!;
    const path = root.to + row.path.slice(root.from.length);
    return {
      name: row.is_dir ? `${path}/` : path,
      isDir: row.is_dir,
      size: Number(row.size),
      objectKey: row.object_key,
      date: new Date(row.updated_at),
    };
  });
}
