import { randomUUID } from "node:crypto";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { validName } from "../files/names";
import { resolveFolder } from "../files/tree";
import { placement } from "../files/versions/place";
import { reserveQuota } from "../quota";
import { toUnixSeconds } from "../time";
import { closeUpload, partNumbers, presignParts, uploadObjectKey } from "./shared";

const MAX_PARTS = 10_000;

/**
 * Opens an upload session: reserves the quota, then hands out either one presigned PUT that signs
 * the SHA-256 (so a checking store refuses other bytes) or a multipart plan with a URL per part.
 */
export async function presign(
  deps: CoreDeps,
  userId: number,
  input: BodyOf<typeof fileRoutes.uploadPresign>,
  /**
   * The PUT Polaris-IO's clients send: one URL whatever the size (S3 takes up to 5 GiB in one PUT), no
   * checksum header, a content type only when one was named. Nothing is trusted for it: completion checks
   * the stored bytes' size and SHA-256 as for every upload.
   */
  { asPolarisIo = false }: { asPolarisIo?: boolean } = {},
) {
  const settings = deps.settings.files;
  const name = validName(input.name);
  if (input.size > settings.maxUploadBytes)
    fail("FILE_TOO_LARGE", `file larger than the maximum upload size (${settings.maxUploadBytes} bytes)`);
  const uploadKey = randomUUID();
  const objectKey = uploadObjectKey(userId, uploadKey);
  const mimeType = input.mimeType || "application/octet-stream";
  const multipart = !asPolarisIo && input.size > settings.multipartThresholdBytes;
  const partSize = multipart ? Math.max(settings.partSizeBytes, Math.ceil(input.size / MAX_PARTS)) : null;
  const ttl = multipart ? settings.multipartTtlSeconds : settings.uploadTtlSeconds;
  const expiresAt = new Date(deps.clock.now().getTime() + ttl * 1000);

  const { id } = await deps.db.transaction().execute(async (trx) => {
    const parentId = await resolveFolder(trx, userId, input.parentId, "PARENT_NOT_FOUND");
    // The quota first: a file that cannot fit is refused whatever its name (a name clash can be answered, a full drive cannot).
    await reserveQuota(trx, userId, input.size);
    // Refused before any byte moves; completion decides again (the folder may change meanwhile).
    if (input.onConflict !== "rename") {
      const target = await placement(trx, userId, parentId, name, input.onConflict);
      if (target.kind === "conflict") fail("NAME_CONFLICT", target.reason);
    }
    return trx
      .insertInto("uploads")
      .values({
        upload_key: uploadKey,
        user_id: userId,
        sha256: input.hash,
        size: input.size,
        parent_id: parentId,
        name,
        mime_type: mimeType,
        on_conflict: input.onConflict,
        object_key: objectKey,
        multipart_upload_id: null,
        part_size: partSize,
        reserved: input.size,
        expires_at: expiresAt,
        file_id: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  });
  await deps.scheduler.schedule({ name: `upload-expire-${uploadKey}`, type: "upload.expire", payload: { uploadKey }, runAt: expiresAt });

  const common = { uploadKey, expiresAt: toUnixSeconds(expiresAt) };
  if (!multipart) {
    const put = await deps.storage.presignPut(objectKey, {
      size: input.size,
      sha256Base64: asPolarisIo ? undefined : Buffer.from(input.hash, "hex").toString("base64"),
      contentType: asPolarisIo && !input.mimeType ? undefined : mimeType,
      expiresInSeconds: Math.min(settings.presignExpiresSeconds, ttl),
    });
    return { ...common, mode: "single" as const, uploadUrl: put.url, headers: put.headers };
  }
  let uploadId: string;
  try {
    uploadId = await deps.storage.createMultipart(objectKey, mimeType);
  } catch (err) {
    // The client gets no uploadKey, so nothing would use the reservation until the session expires:
    // release it now. Nothing is stored yet, so a store that is down cannot fail this beyond its delete.
    await closeUpload(deps, id, "failed").catch(() => undefined);
    throw err;
  }
  await deps.db.updateTable("uploads").set({ multipart_upload_id: uploadId }).where("upload_key", "=", uploadKey).execute();
  const numbers = partNumbers(input.size, partSize!);
  return { ...common, mode: "multipart" as const, partSize: partSize!, parts: await presignParts(deps, objectKey, uploadId, numbers) };
}
