import type { CoreDeps } from "../../deps";
import { fail } from "../../errors";
import { presignedDownload } from "../download";
import { findVersion } from "./shared";

/** A presigned GET for one version's content, under the file's name. */
export async function downloadVersion(deps: CoreDeps, userId: number, identity: string) {
  const { file, content } = await findVersion(deps.db, userId, identity);
  const blob = await deps.db.selectFrom("blobs").select("object_key").where("sha256", "=", content.sha256).executeTakeFirst();
  if (!blob) return fail("VERSION_NOT_FOUND");
  return presignedDownload(deps, { name: file.name, mime_type: content.mimeType, object_key: blob.object_key });
}
