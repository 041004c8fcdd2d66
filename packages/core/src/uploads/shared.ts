import { UPLOAD_KEY_PREFIX } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db, UploadRow } from "../db/schema";
import { fail } from "../errors";

/** An upload's object key, under the prefix the consumer table's S3 notification filters on. */
export const uploadObjectKey = (userId: number, uploadKey: string) => `${UPLOAD_KEY_PREFIX}${userId}/${uploadKey}`;

export const partCount = (size: number, partSize: number) => Math.max(1, Math.ceil(size / partSize));

/** The part numbers of a multipart plan: 1 to its part count. */
export const partNumbers = (size: number, partSize: number) => Array.from({ length: partCount(size, partSize) }, (_, i) => i + 1);

/** The size part `partNumber` must have: the part size, the remainder for the last part. */
export const expectedPartSize = (size: number, partSize: number, partNumber: number) =>
  Math.min(partSize, size - (partNumber - 1) * partSize);

/**
 * The stored parts a multipart upload can be completed from, by part number; null when the store
 * no longer has the multipart upload. A part counts only when it is one of the plan's and has
 * exactly its expected size: an interrupted PUT can leave a truncated part behind, which must be
 * uploaded again (a part PUT replaces the stored one), never completed into the object.
 */
export async function storedGoodParts(
  deps: CoreDeps,
  upload: Pick<UploadRow, "object_key" | "multipart_upload_id" | "size" | "part_size">,
) {
  if (!upload.multipart_upload_id || !upload.part_size) return null;
  const stored = await deps.storage.listParts(upload.object_key, upload.multipart_upload_id);
  if (!stored) return null;
  const total = partCount(upload.size, upload.part_size);
  return stored
    .filter((p) => p.partNumber >= 1 && p.partNumber <= total && p.size === expectedPartSize(upload.size, upload.part_size!, p.partNumber))
    .sort((a, b) => a.partNumber - b.partNumber);
}

/** The caller's upload session; another user's key behaves as a missing one. */
export async function ownedUpload(db: Db, userId: number, uploadKey: string) {
  const row = await db
    .selectFrom("uploads")
    .selectAll()
    .where("upload_key", "=", uploadKey)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row ?? fail("UPLOAD_NOT_FOUND");
}

/** Fresh presigned part URLs for the given part numbers. */
export async function presignParts(deps: CoreDeps, objectKey: string, uploadId: string, partNumbers: number[]) {
  const expires = deps.settings.files.presignExpiresSeconds;
  return Promise.all(
    partNumbers.map(async (partNumber) => ({ partNumber, url: await deps.storage.presignPart(objectKey, uploadId, partNumber, expires) })),
  );
}

/** Ends a pending session without a file: releases the reservation and drops the stored bytes. */
export async function closeUpload(
  deps: CoreDeps,
  uploadId: number,
  status: "aborted" | "expired" | "failed" | "conflict",
  onlyIfDue = false,
) {
  const closed = await deps.db.transaction().execute(async (trx) => {
    const upload = await trx.selectFrom("uploads").selectAll().where("id", "=", uploadId).forUpdate().executeTakeFirst();
    if (upload?.status !== "pending") return null;
    if (onlyIfDue && upload.expires_at.getTime() > deps.clock.now().getTime()) return null;
    await trx.updateTable("uploads").set({ status, updated_at: deps.clock.now() }).where("id", "=", uploadId).execute();
    await trx
      .updateTable("users")
      .set((eb) => ({ quota_reserved: eb("quota_reserved", "-", upload.reserved) }))
      .where("id", "=", upload.user_id)
      .execute();
    return upload;
  });
  if (closed) {
    if (closed.multipart_upload_id) await deps.storage.abortMultipart(closed.object_key, closed.multipart_upload_id).catch(() => undefined);
    await deps.storage.delete([closed.object_key]);
  }
  return closed;
}
