import { addBlobReferences } from "../../blobs";
import type { CoreDeps } from "../../deps";
import { fail } from "../../errors";
import { consumeQuota } from "../../quota";
import { loadFileItem, lockUserTree } from "../tree";
import { currentVersion, findVersion, replaceContent, schedulePrune, uploaderNames } from "./shared";

/**
 * Makes a previous version's content a new current version: the current one becomes a previous
 * version and the restored one stays in the list, so nothing is lost. The new version uses space.
 */
export async function restoreVersion(deps: CoreDeps, userId: number, identity: string) {
  const fileId = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    const { rowId, file, content } = await findVersion(trx, userId, identity);
    if (rowId === null) return fail("VERSION_IS_CURRENT", "that version is already the current one");
    await consumeQuota(trx, userId, content.size);
    // The version's row holds a reference under the tree lock: the blob is there to reference again.
    if (!(await addBlobReferences(trx, content.sha256, 1))) return fail("VERSION_NOT_FOUND");
    await replaceContent(trx, file, content, userId, deps.clock.now());
    return file.id;
  });
  const row = await deps.db.selectFrom("files").selectAll().where("id", "=", fileId).executeTakeFirstOrThrow();
  await schedulePrune(deps, row.identity);
  return { file: await loadFileItem(deps.db, fileId), version: currentVersion(row, await uploaderNames(deps.db, [userId])) };
}
