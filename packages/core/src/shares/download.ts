import type { QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { presignedDownload } from "../files/download";
import { itemsInShare, openShare } from "./access";
import { assertNotPreviewOnly, takeDownload } from "./limits";

/** A presigned GET for a file inside the share (without fileIdentity, the shared file itself); one download of its limit. */
export async function download(deps: CoreDeps, query: QueryOf<typeof shareRoutes.download> & { clientAddress: string }) {
  const share = await openShare(deps, query);
  assertNotPreviewOnly(share);
  const [fileId] = await itemsInShare(deps.db, share, [query.fileIdentity ?? share.root.identity], false);
  await takeDownload(deps.db, share);
  const file = await deps.db
    .selectFrom("files")
    .innerJoin("blobs", "blobs.sha256", "files.blob_sha256")
    .select(["files.name", "files.mime_type", "blobs.object_key"])
    .where("files.id", "=", fileId!)
    .executeTakeFirstOrThrow();
  return presignedDownload(deps, file);
}
