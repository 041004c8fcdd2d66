import { randomUUID } from "node:crypto";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { validName } from "./names";
import { loadFileItem, lockUserTree, resolveFolder } from "./tree";

export async function createFolder(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.createFolder>) {
  const name = validName(input.name);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      // Under the tree lock the parent cannot go to the recycle bin between the check and the insert.
      await lockUserTree(trx, userId);
      const parentId = await resolveFolder(trx, userId, input.parentId, "PARENT_NOT_FOUND");
      const { id } = await trx
        .insertInto("files")
        .values({
          identity: randomUUID(),
          user_id: userId,
          parent_id: parentId,
          name,
          ext: "",
          is_dir: true,
          blob_sha256: null,
          trash_batch: null,
          trashed_at: null,
          purge_at: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await recordEvent(trx, "file.created", { userId, fileIds: [id], subtree: false });
      const file = await loadFileItem(trx, id);
      return { identity: file.identity, file };
    });
  } catch (err) {
    if (isUniqueViolation(err)) fail("NAME_CONFLICT");
    throw err;
  }
}
