import type { OnConflict } from "@polaris/contract";
import type { Db, FileRow } from "../../db/schema";
import { recordEvent } from "../../events";
import { extensionOf } from "../names";
import { freeName } from "../tree";
import { type Content, replaceContent } from "./shared";

/** Where new content goes: a new file of that name, a new current version of an existing file, or nowhere (why). */
export type Placement = { kind: "new"; name: string } | { kind: "version"; file: FileRow } | { kind: "conflict"; reason: string };

/**
 * Decides an upload's placement under its onConflict choice (under the user's tree lock when it acts
 * on it): "rename" takes the first free " (n)" name, "version" the existing file of that name, "fail"
 * only a free name; a folder of that name never gets versions.
 */
export async function placement(db: Db, userId: number, parentId: number, name: string, onConflict: OnConflict): Promise<Placement> {
  if (onConflict === "rename") return { kind: "new", name: await freeName(db, userId, parentId, name, false) };
  const taken = await db
    .selectFrom("files")
    .selectAll()
    .where("user_id", "=", userId)
    .where("parent_id", "=", parentId)
    .where("status", "=", "active")
    .where("name", "=", name)
    .executeTakeFirst();
  if (!taken) return { kind: "new", name };
  if (taken.is_dir) return { kind: "conflict", reason: `a folder named "${name}" is in this folder, and a folder has no versions` };
  if (onConflict === "fail") return { kind: "conflict", reason: `"${name}" already exists in this folder` };
  return { kind: "version", file: taken };
}

/**
 * Puts the content where `placement` decided and writes the event; returns the file's id. The caller
 * holds the tree lock and accounts for the new content (its blob reference and its bytes).
 */
export async function place(
  db: Db,
  userId: number,
  parentId: number,
  target: Exclude<Placement, { kind: "conflict" }>,
  content: Content,
  now: Date,
) {
  if (target.kind === "version") {
    await replaceContent(db, target.file, content, userId, now);
    return target.file.id;
  }
  const { id } = await db
    .insertInto("files")
    .values({
      identity: crypto.randomUUID(),
      user_id: userId,
      parent_id: parentId,
      name: target.name,
      ext: extensionOf(target.name, false),
      is_dir: false,
      size: content.size,
      blob_sha256: content.sha256,
      mime_type: content.mimeType,
      trash_batch: null,
      trashed_at: null,
      purge_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await recordEvent(db, "file.created", { userId, fileIds: [id], subtree: false });
  return id;
}
