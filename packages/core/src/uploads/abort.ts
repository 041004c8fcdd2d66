import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { closeUpload, ownedUpload } from "./shared";

/** Abandons a session at once; aborting twice is fine, aborting a finished upload is not. */
export async function abort(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.uploadAbort>) {
  const upload = await ownedUpload(deps.db, userId, input.uploadKey);
  if (upload.status === "completed" || upload.status === "failed") fail("UPLOAD_NOT_FOUND", "upload already finished");
  await closeUpload(deps, upload.id, "aborted");
  await deps.scheduler.cancel(`upload-expire-${upload.upload_key}`);
  return {};
}
