import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { CoreDeps } from "../../deps";
import type { Db, FileRow, FileVersionRow } from "../../db/schema";
import { fail } from "../../errors";
import { recordEvent } from "../../events";
import { toUnixSeconds } from "../../time";

/** Content a version holds. */
export interface Content {
  sha256: string;
  size: number;
  mimeType: string;
}

type CurrentFile = Pick<
  FileRow,
  "id" | "user_id" | "blob_sha256" | "size" | "mime_type" | "version_identity" | "version_at" | "version_by" | "created_at"
>;

/**
 * Makes `content` the file's current version. The current content becomes a previous version: the
 * file's blob reference and its bytes in the quota pass to that row, so the caller accounts only for
 * the new content (its blob reference and its size).
 */
export async function replaceContent(trx: Db, file: CurrentFile, content: Content, by: number, now: Date) {
  await trx
    .insertInto("file_versions")
    .values({
      identity: file.version_identity,
      file_id: file.id,
      user_id: file.user_id,
      blob_sha256: file.blob_sha256!,
      size: file.size,
      mime_type: file.mime_type,
      uploaded_by: file.version_by ?? file.user_id,
      created_at: file.version_at ?? file.created_at,
      replaced_at: now,
    })
    .execute();
  await trx
    .updateTable("files")
    .set({
      blob_sha256: content.sha256,
      size: content.size,
      mime_type: content.mimeType,
      version_identity: randomUUID(),
      version_at: now,
      version_by: by,
      version: sql`version + 1`,
      updated_at: now,
    })
    .where("id", "=", file.id)
    .execute();
  await recordEvent(trx, "file.updated", { userId: file.user_id, fileIds: [file.id], subtree: false });
}

/**
 * Retention applies to the file's previous versions at `runAt` (default now: a version was just added);
 * nothing when no limit is set. Every run is a job of its own name: a job that scheduled itself again
 * under the name it runs as would be deleted with it when it completes.
 */
export async function schedulePrune(deps: CoreDeps, fileIdentity: string, runAt?: Date) {
  const { versionKeepCount, versionKeepDays } = deps.settings.files;
  if (!versionKeepCount && !versionKeepDays) return;
  const name = runAt ? `version-prune-${fileIdentity}-${toUnixSeconds(runAt)}` : `version-prune-${randomUUID()}`;
  await deps.scheduler.schedule({ name, type: "version.prune", payload: { fileIdentity }, runAt: runAt ?? deps.clock.now() });
}

export interface FoundVersion {
  /** The previous version's row; null for the current version (the file row itself). */
  rowId: number | null;
  file: FileRow;
  content: Content;
}

/**
 * One of the user's versions of an active file, by its identity: a previous one or the current one.
 * Another user's version, or one of a file in the recycle bin, is missing.
 */
export async function findVersion(db: Db, userId: number, identity: string): Promise<FoundVersion> {
  const previous = await db
    .selectFrom("file_versions as v")
    .innerJoin("files as f", "f.id", "v.file_id")
    .selectAll("f")
    .select(["v.id as row_id", "v.blob_sha256 as v_sha256", "v.size as v_size", "v.mime_type as v_mime_type"])
    .where("v.identity", "=", identity)
    .where("v.user_id", "=", userId)
    .where("f.status", "=", "active")
    .executeTakeFirst();
  if (previous) {
    const { row_id, v_sha256, v_size, v_mime_type, ...file } = previous;
    return { rowId: row_id, file, content: { sha256: v_sha256, size: v_size, mimeType: v_mime_type } };
  }
  const file = await db
    .selectFrom("files")
    .selectAll()
    .where("version_identity", "=", identity)
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .where("is_dir", "=", false)
    .executeTakeFirst();
  if (!file?.blob_sha256) return fail("VERSION_NOT_FOUND");
  return { rowId: null, file, content: { sha256: file.blob_sha256, size: file.size, mimeType: file.mime_type } };
}

/** The names of the users who uploaded, by id. */
export async function uploaderNames(db: Db, ids: number[]) {
  const unique = [...new Set(ids)];
  const rows = unique.length ? await db.selectFrom("users").select(["id", "name"]).where("id", "in", unique).execute() : [];
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** A previous version's row, as the API shows versions. */
export const previousVersion = (v: FileVersionRow, names: Map<number, string>) => ({
  identity: v.identity,
  size: v.size,
  hash: v.blob_sha256,
  mimeType: v.mime_type,
  createTime: toUnixSeconds(v.created_at),
  uploader: names.get(v.uploaded_by ?? v.user_id) ?? "",
  current: false,
});

/** The current version of a file row, as the API shows versions. */
export const currentVersion = (file: FileRow, names: Map<number, string>) => ({
  identity: file.version_identity,
  size: file.size,
  hash: file.blob_sha256 ?? "",
  mimeType: file.mime_type,
  createTime: toUnixSeconds(file.version_at ?? file.created_at),
  uploader: names.get(file.version_by ?? file.user_id) ?? "",
  current: true,
});
