import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { toUnixSeconds } from "../time";

/** A presigned GET for one of the user's active files. */
export async function download(deps: CoreDeps, userId: number, identity: string) {
  const row = await deps.db
    .selectFrom("files")
    .innerJoin("blobs", "blobs.sha256", "files.blob_sha256")
    .select(["files.name", "files.mime_type", "blobs.object_key"])
    .where("files.identity", "=", identity)
    .where("files.user_id", "=", userId)
    .where("files.status", "=", "active")
    .where("files.is_dir", "=", false)
    .executeTakeFirst();
  if (!row) return fail("FILE_NOT_FOUND");
  return presignedDownload(deps, row);
}

export async function presignedDownload(deps: CoreDeps, file: { name: string; mime_type: string; object_key: string }) {
  const expiresInSeconds = deps.settings.files.presignExpiresSeconds;
  const url = await deps.storage.presignGet(file.object_key, {
    fileName: file.name,
    contentType: file.mime_type || "application/octet-stream",
    expiresInSeconds,
  });
  return { url, expiresAt: toUnixSeconds(deps.clock.now()) + expiresInSeconds };
}
