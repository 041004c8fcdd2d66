import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { bumpDescendantVersions, lockUserTree, ownedItems, resolveFolder, ROOT, topLevelOnly } from "./tree";

/** The target and its ancestors up to the root, in one recursive query. */
export async function ancestorsOf(db: CoreDeps["db"], folderId: number): Promise<Set<number>> {
  if (folderId === ROOT) return new Set();
  const rows = await sql<{ id: number }>`
    with recursive up(id, parent_id) as (
      select id, parent_id from files where id = ${folderId}
      union all
      select f.id, f.parent_id from files f join up on f.id = up.parent_id
    ) select id from up`.execute(db);
  return new Set(rows.rows.map((r) => Number(r.id)));
}

export async function move(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.move>) {
  try {
    return await deps.db.transaction().execute(async (trx) => {
      await lockUserTree(trx, userId);
      const targetId = await resolveFolder(trx, userId, input.targetId);
      const items = await topLevelOnly(trx, await ownedItems(trx, userId, input.identities));
      const ancestors = await ancestorsOf(trx, targetId);
      if (items.some((item) => ancestors.has(item.id))) fail("MOVE_INTO_SELF");
      const moving = items.filter((item) => item.parent_id !== targetId);
      const names = moving.map((item) => item.name);
      if (new Set(names).size !== names.length) fail("NAME_CONFLICT", "two of the items have the same name");
      if (moving.length === 0) return { movedCount: 0 };
      await trx
        .updateTable("files")
        .set({ parent_id: targetId, version: sql`version + 1`, updated_at: sql`now()` })
        .where(
          "id",
          "in",
          moving.map((m) => m.id),
        )
        .execute();
      await bumpDescendantVersions(
        trx,
        moving.filter((m) => m.is_dir).map((m) => m.id),
      );
      await recordEvent(trx, "file.moved", { userId, fileIds: moving.map((m) => m.id), subtree: true });
      return { movedCount: moving.length };
    });
  } catch (err) {
    if (isUniqueViolation(err)) fail("NAME_CONFLICT");
    throw err;
  }
}
