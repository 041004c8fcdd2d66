import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { fail } from "../errors";

export const uploadObjectKey = (userId: number, uploadKey: string) => `uploads/${userId}/${uploadKey}`;

export const partCount = (size: number, partSize: number) => Math.max(1, Math.ceil(size / partSize));

/** The caller's upload session; another user's key behaves as a missing one. */
export async function ownedUpload(db: Db, userId: number, uploadKey: string) {
  const row = await db.selectFrom("uploads").selectAll().where("upload_key", "=", uploadKey).where("user_id", "=", userId).executeTakeFirst();
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
export async function closeUpload(deps: CoreDeps, uploadId: number, status: "aborted" | "expired" | "failed", onlyIfDue = false) {
  const closed = await deps.db.transaction().execute(async (trx) => {
    const upload = await trx.selectFrom("uploads").selectAll().where("id", "=", uploadId).forUpdate().executeTakeFirst();
    if (!upload || upload.status !== "pending") return null;
    if (onlyIfDue && upload.expires_at.getTime() > deps.clock.now().getTime()) return null;
    await trx.updateTable("uploads").set({ status, updated_at: deps.clock.now() }).where("id", "=", uploadId).execute();
    await trx.updateTable("users").set((eb) => ({ quota_reserved: eb("quota_reserved", "-", upload.reserved) })).where("id", "=", upload.user_id).execute();
    return upload;
  });
  if (closed) {
    if (closed.multipart_upload_id) await deps.storage.abortMultipart(closed.object_key, closed.multipart_upload_id).catch(() => undefined);
    await deps.storage.delete([closed.object_key]);
  }
  return closed;
}
