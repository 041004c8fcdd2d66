import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { ownedUpload, partCount, partNumbers, presignParts, storedGoodParts } from "./shared";

/**
 * Resuming a multipart upload: the parts the store holds whole, and fresh URLs for every other
 * part (also for a stored part of the wrong size, which the client uploads again).
 */
export async function listUploadParts(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.uploadParts>) {
  const upload = await ownedUpload(deps.db, userId, input.uploadKey);
  if (upload.status !== "pending" || !upload.multipart_upload_id || !upload.part_size) return fail("UPLOAD_NOT_FOUND");
  const uploaded = await storedGoodParts(deps, upload);
  if (!uploaded) return fail("UPLOAD_NOT_FOUND");
  const total = partCount(upload.size, upload.part_size);
  const have = new Set(uploaded.map((p) => p.partNumber));
  const wanted = (input.partNumbers ?? partNumbers(upload.size, upload.part_size)).filter((n) => n <= total && !have.has(n));
  return { uploaded, parts: await presignParts(deps, upload.object_key, upload.multipart_upload_id, [...new Set(wanted)]) };
}
