import { sql } from "kysely";
import type { FileItem } from "@polaris/contract";
import type { Db, FileRow } from "../db/schema";
import { fail } from "../errors";
import type { ErrorName } from "@polaris/contract";
import { toUnixSeconds } from "../time";
import { suffixed } from "./names";

export const ROOT = 0;

/**
 * Serialises tree changes of one user: creates, renames, moves, copies, trash, restore, purges and
 * upload completions take this row lock first, so two of them can never interleave into a cycle, a
 * lost update or an item under a folder that went to the recycle bin meanwhile; taking it before any
 * blob row keeps one lock order (no deadlocks).
 */
export async function lockUserTree(db: Db, userId: number) {
  await db.selectFrom("users").select("id").where("id", "=", userId).forUpdate().executeTakeFirst();
}

/**
 * A folder reference ("0", omitted, an identity, or Polaris-IO's numeric id with 0 for the root) to
 * its id; another user's folder is missing.
 */
export async function resolveFolder(db: Db, userId: number, ref: string | number | undefined, missing: ErrorName = "FOLDER_NOT_FOUND") {
  if (!ref || ref === "0") return ROOT;
  const folder = activeFolder(db, userId);
  const row = await (typeof ref === "number" ? folder.where("id", "=", ref) : folder.where("identity", "=", ref)).executeTakeFirst();
  return row ? row.id : fail(missing);
}

/** The user's active folders (their ids), narrowed by the caller. */
export const activeFolder = (db: Db, userId: number) =>
  db.selectFrom("files").select("id").where("user_id", "=", userId).where("is_dir", "=", true).where("status", "=", "active");

/** The user's items with these identities in one status; any missing one fails the whole request. */
export async function ownedItems(
  db: Db,
  userId: number,
  identities: string[],
  status: FileRow["status"] = "active",
  missing: ErrorName = "FILE_NOT_FOUND",
) {
  const unique = [...new Set(identities)];
  const rows = await db
    .selectFrom("files")
    .selectAll()
    .where("identity", "in", unique)
    .where("user_id", "=", userId)
    .where("status", "=", status)
    .execute();
  if (rows.length !== unique.length) fail(missing);
  return rows;
}

/**
 * `name`, or the first free "name (n)" among the active siblings (and `taken`). Candidates are looked
 * up by exact name in growing batches, so the answer never depends on how a stem could be matched by a
 * pattern (dot-files, trailing dots, folders with dots, cut stems).
 */
export async function freeName(db: Db, userId: number, parentId: number, name: string, isDir: boolean, taken = new Set<string>()) {
  for (let from = 0, size = 16; ; from += size, size = Math.min(size * 4, 1024)) {
    const candidates: string[] = [];
    for (let n = from; n < from + size; n++) candidates.push(n === 0 ? name : suffixed(name, n, isDir));
    const unique = [...new Set(candidates)].filter((c) => !taken.has(c));
    const used =
      unique.length === 0
        ? []
        : await db
            .selectFrom("files")
            .select("name")
            .where("user_id", "=", userId)
            .where("parent_id", "=", parentId)
            .where("status", "=", "active")
            .where("name", "in", unique)
            .execute();
    const usedNames = new Set(used.map((r) => r.name));
    const free = candidates.find((c) => !taken.has(c) && !usedNames.has(c));
    if (free !== undefined) return free;
  }
}

const buildFileItemQuery = (db: Db) =>
  db
    .selectFrom("files as f")
    .leftJoin("files as p", "p.id", "f.parent_id")
    .leftJoin("thumbnails as t", "t.sha256", "f.blob_sha256")
    .select([
      "f.id",
      "f.identity",
      "f.name",
      "f.ext",
      "f.size",
      "f.is_dir",
      "f.mime_type",
      "f.created_at",
      "f.updated_at",
      "f.status",
      "f.trashed_at",
      "f.purge_at",
      "f.user_id",
      "f.parent_id",
      "f.blob_sha256",
      "p.identity as parent_identity",
      "t.sha256 as thumbnail_sha256",
    ]);
const fileItemQueries = new WeakMap<Db, ReturnType<typeof buildFileItemQuery>>();

/**
 * Columns of a FileItem, with the parent's identity. Built once per connection (kysely's builders are
 * immutable, so callers extend a shared one): parsing the sixteen columns was a good part of a list
 * request's query building.
 */
export function fileItemQuery(db: Db) {
  let query = fileItemQueries.get(db);
  if (!query) fileItemQueries.set(db, (query = buildFileItemQuery(db)));
  return query;
}

type ItemRow = Pick<FileRow, "id" | "identity" | "name" | "ext" | "size" | "is_dir" | "mime_type" | "created_at" | "updated_at"> & {
  parent_identity: string | null;
};

export const toFileItem = (row: ItemRow): FileItem => ({
  id: row.id,
  identity: row.identity,
  name: row.name,
  ext: row.ext,
  size: row.size,
  isDir: row.is_dir,
  parentId: row.parent_identity ?? "0",
  mimeType: row.mime_type,
  createTime: toUnixSeconds(row.created_at),
  updateTime: toUnixSeconds(row.updated_at),
});

export async function loadFileItem(db: Db, id: number) {
  return toFileItem(await fileItemQuery(db).where("f.id", "=", id).executeTakeFirstOrThrow());
}

/** Ids of the items and all their descendants in the given status (one recursive query). */
export function subtreeIds(rootIds: number[], status: FileRow["status"]) {
  return sql<{ id: number }>`
    with recursive tree(id) as (
      select id from files where id = any(${rootIds}::bigint[])
      union all
      select f.id from files f join tree t on f.parent_id = t.id where f.status = ${status}
    ) select id from tree`;
}

/**
 * Renaming or moving a folder changes the path of everything below it, so each descendant gets a new
 * version too: the search index keeps a document only when its version is newer than the indexed one.
 */
export async function bumpDescendantVersions(db: Db, folderIds: number[]) {
  if (folderIds.length === 0) return;
  await sql`
    with recursive below(id) as (
      select id from files where parent_id = any(${folderIds}::bigint[]) and status <> 'purged'
      union all
      select f.id from files f join below b on f.parent_id = b.id where f.status <> 'purged'
    )
    update files set version = version + 1 where id in (select id from below)`.execute(db);
}

/** Drops items whose ancestor is also in the set: acting on a folder already covers its descendants. */
export async function topLevelOnly<T extends { id: number }>(db: Db, items: T[]): Promise<T[]> {
  if (items.length < 2) return items;
  const ids = items.map((i) => i.id);
  const nested = await sql<{ start: number }>`
    with recursive up(start, id) as (
      select id, parent_id from files where id = any(${ids}::bigint[])
      union all
      select up.start, f.parent_id from files f join up on f.id = up.id
    ) select distinct start from up where id = any(${ids}::bigint[])`.execute(db);
  const inside = new Set(nested.rows.map((r) => Number(r.start)));
  return items.filter((i) => !inside.has(i.id));
}

/** The folder id itself while it is still an active folder of the user, else the root. */
export async function resolveFolderId(db: Db, userId: number, folderId: number) {
  if (folderId === ROOT) return ROOT;
  const row = await activeFolder(db, userId).where("id", "=", folderId).executeTakeFirst();
  return row ? row.id : ROOT;
}
