import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { loadFileItem } from "../files/tree";
import { completeUpload } from "./complete";
import { ownedUpload, partNumbers, storedGoodParts } from "./shared";

/**
 * The client's confirmation: completes a multipart upload, then returns the file, doing the work
 * itself if the notification is late (`uploadedBytes` is set when this call did the completion).
 */
export async function callback(deps: CoreDeps, userId: number, input: Pick<BodyOf<typeof fileRoutes.uploadCallback>, "uploadKey">) {
  const upload = await ownedUpload(deps.db, userId, input.uploadKey);
  if (upload.status === "pending" && upload.multipart_upload_id) {
    // Storage's whole parts, not the client's list: a part cut short or sent twice counts as storage holds it.
    const parts = await storedGoodParts(deps, upload);
    // A missing multipart upload means a concurrent callback completed it already.
    if (parts && !(await deps.storage.head(upload.object_key))) {
      const have = new Set(parts.map((p) => p.partNumber));
      const missing = partNumbers(upload.size, upload.part_size!).filter((n) => !have.has(n));
      // Completing without them would make an object of the wrong size and fail the upload for good.
      if (missing.length)
        fail(
          "UPLOAD_INCOMPLETE",
          `upload incomplete: part${missing.length > 1 ? "s" : ""} ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""} not in storage yet (PUT them, then call back)`,
        );
      if ((await deps.storage.completeMultipart(upload.object_key, upload.multipart_upload_id, parts)) === "rejected") {
        fail("UPLOAD_INCOMPLETE", "upload incomplete: storage refused the parts; ask upload/parts for fresh URLs and send them again");
      }
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
    case "conflict":
      return fail(
        "NAME_CONFLICT",
        `"${upload.name}" was created in the folder meanwhile, and the upload asked to fail then (onConflict "fail")`,
      );
    case "missing":
      return fail("UPLOAD_NOT_FOUND", "the uploaded object is not in storage yet: PUT the bytes first");
    default:
      return fail("UPLOAD_NOT_FOUND");
  }
}
