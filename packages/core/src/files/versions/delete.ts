import { dropBlobReferences } from "../../blobs";
import type { CoreDeps } from "../../deps";
import { fail } from "../../errors";
import { releaseUsage } from "../../quota";
import { lockUserTree } from "../tree";
import { findVersion } from "./shared";

/** Deletes a previous version: its space is released, its object deleted once nothing references the content. */
export async function deleteVersion(deps: CoreDeps, userId: number, identity: string) {
  const keys = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    const { rowId, content } = await findVersion(trx, userId, identity);
    if (rowId === null)
      return fail("VERSION_IS_CURRENT", "the current version cannot be deleted: restore another one first, or delete the file");
    await trx.deleteFrom("file_versions").where("id", "=", rowId).execute();
    await releaseUsage(trx, userId, content.size);
    return dropBlobReferences(trx, new Map([[content.sha256, 1]]));
  });
  if (keys.length) await deps.storage.delete(keys);
  return {};
}
