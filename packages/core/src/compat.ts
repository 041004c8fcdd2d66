import type { ErrorName, FileItem, OriginalFileItem } from "@polaris/contract";
import type { Db } from "./db/schema";
import { fail } from "./errors";
import { activeFolder, ROOT } from "./files/tree";
import { toUnixSeconds } from "./time";

/**
 * Reads the Polaris-IO compatibility routes need to speak the original's shapes (numeric folder ids,
 * numeric parent ids, share facts it listed). No rule lives here: the routes call the use cases.
 */

/** A numeric folder id (0 = the root) as the reference the use cases take; another user's folder is missing. */
export async function folderRef(db: Db, userId: number, id: number, missing: ErrorName = "FOLDER_NOT_FOUND"): Promise<string> {
  if (id === ROOT) return "0";
  const row = await activeFolder(db, userId).select("identity").where("id", "=", id).executeTakeFirst();
  return row ? row.identity : fail(missing);
}

/** A Polaris item in the original's shape: `parentId` is the parent's numeric id (0 for the root). */
export const toOriginalItem = (item: FileItem, parentId: number): OriginalFileItem => ({
  id: item.id,
  identity: item.identity,
  name: item.name,
  ext: item.ext,
  size: item.size,
  isDir: item.isDir,
  parentId,
  createTime: item.createTime,
  updateTime: item.updateTime,
});

/** The caller's items with these identities in the original's shape, by identity (others' items are left out). */
export async function originalItems(db: Db, userId: number, identities: string[]): Promise<Map<string, OriginalFileItem>> {
  if (identities.length === 0) return new Map();
  const rows = await db
    .selectFrom("files")
    .select(["id", "identity", "name", "ext", "size", "is_dir", "parent_id", "created_at", "updated_at"])
    .where("user_id", "=", userId)
    .where("identity", "in", [...new Set(identities)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.identity,
      {
        id: Number(r.id),
        identity: r.identity,
        name: r.name,
        ext: r.ext,
        size: Number(r.size),
        isDir: r.is_dir,
        parentId: Number(r.parent_id),
        createTime: toUnixSeconds(r.created_at),
        updateTime: toUnixSeconds(r.updated_at),
      },
    ]),
  );
}

/** What the original's share list showed beyond Polaris's: the share's numeric id, the shared item's extension and size. */
export async function shareFacts(db: Db, userId: number, shareIdentities: string[]) {
  if (shareIdentities.length === 0) return new Map<string, { id: number; fileExt: string; fileSize: number }>();
  const rows = await db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .select(["s.id", "s.identity", "f.ext", "f.size"])
    .where("s.user_id", "=", userId)
    .where("s.identity", "in", shareIdentities)
    .execute();
  return new Map(rows.map((r) => [r.identity, { id: Number(r.id), fileExt: r.ext, fileSize: Number(r.size) }]));
}

/** The identity of the item a share links to (the original saves it when no items are named); undefined for no such share. */
export async function sharedItemIdentity(db: Db, shareIdentity: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .select("f.identity")
    .where("s.identity", "=", shareIdentity)
    .executeTakeFirst();
  return row?.identity;
}
