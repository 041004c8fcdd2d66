import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { extensionOf, validName } from "./names";
import { bumpDescendantVersions, loadFileItem, lockUserTree, ownedItems } from "./tree";

export async function rename(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.rename>) {
  const name = validName(input.name);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await lockUserTree(trx, userId);
      const [item] = await ownedItems(trx, userId, [input.identity]);
      if (item.name !== name) {
        await trx
          .updateTable("files")
          .set({ name, ext: extensionOf(name, item.is_dir), version: sql`version + 1`, updated_at: sql`now()` })
          .where("id", "=", item.id)
          .execute();
        if (item.is_dir) await bumpDescendantVersions(trx, [item.id]);
        await recordEvent(trx, "file.renamed", { userId, fileIds: [item.id], subtree: item.is_dir });
      }
      return { file: await loadFileItem(trx, item.id) };
    });
  } catch (err) {
    if (isUniqueViolation(err)) fail("NAME_CONFLICT");
    throw err;
  }
}
