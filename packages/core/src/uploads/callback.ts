import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { loadFileItem } from "../files/tree";
import { completeUpload } from "./complete";
import { ownedUpload } from "./shared";

/**
 * The client's confirmation: completes a multipart upload, then returns the file, doing the work
 * itself if the notification is late (`uploadedBytes` is set when this call did the completion).
 */
export async function callback(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.uploadCallback>) {
  const upload = await ownedUpload(deps.db, userId, input.uploadKey);
  if (upload.status === "pending" && upload.multipart_upload_id) {
    const parts = input.parts ?? (await deps.storage.listParts(upload.object_key, upload.multipart_upload_id));
    // A missing multipart upload means a concurrent callback completed it already.
    if (parts && !(await deps.storage.head(upload.object_key))) {
      if (parts.length === 0) fail("UPLOAD_NOT_FOUND", "no part has been uploaded yet");
      await deps.storage.completeMultipart(upload.object_key, upload.multipart_upload_id, parts);
    }
  }
  const result = await completeUpload(deps, upload.object_key);
  switch (result.status) {
    case "completed": {
      const file = await loadFileItem(deps.db, result.fileId);
      return { identity: file.identity, file, uploadedBytes: result.uploadedBytes };
    }
    case "failed":
      return fail("CONTENT_MISMATCH");
    case "missing":
      return fail("UPLOAD_NOT_FOUND", "the uploaded object is not in storage yet: PUT the bytes first");
    default:
      return fail("UPLOAD_NOT_FOUND");
  }
}
