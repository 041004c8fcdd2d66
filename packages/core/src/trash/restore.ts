import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { freeName, lockUserTree, ROOT } from "../files/tree";

/** Restores whole batches: to the original folder when it is still there, else to the root; clashes get " (n)". */
export async function restore(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.trashRestore>) {
  const restored = await deps.db
    .transaction()
    .execute(async (trx) => {
      await lockUserTree(trx, userId);
      const roots = await trx
        .selectFrom("files as f")
        .leftJoin("files as p", (join) => join.onRef("p.id", "=", "f.parent_id").on("p.status", "=", "active"))
        .select(["f.id", "f.name", "f.is_dir", "f.status", "f.trash_root", "f.trash_batch", "f.parent_id", "p.id as live_parent"])
        .where("f.identity", "in", [...new Set(input.identities)])
        .where("f.user_id", "=", userId)
        .where("f.status", "<>", "purged")
        .execute();
      if (roots.length !== new Set(input.identities).size) fail("FILE_NOT_FOUND");
      if (roots.some((r) => r.status !== "trashed" || !r.trash_root)) fail("NOT_IN_TRASH");
      const taken = new Map<number, Set<string>>();
      for (const root of roots) {
        const parentId = root.parent_id === ROOT || root.live_parent !== null ? root.parent_id : ROOT;
        const used = taken.get(parentId) ?? new Set<string>();
        const name = await freeName(trx, userId, parentId, root.name, root.is_dir, used);
        used.add(name);
        taken.set(parentId, used);
        // The root takes its (possibly new) place and name in the same statement that revives it.
        await trx
          .updateTable("files")
          .set({
            status: "active",
            trash_batch: null,
            trash_root: false,
            trashed_at: null,
            purge_at: null,
            version: sql`version + 1`,
            updated_at: sql`now()`,
            parent_id: sql`case when id = ${root.id} then ${parentId}::bigint else parent_id end`,
            name: sql`case when id = ${root.id} then ${name} else name end`,
          })
          .where("trash_batch", "=", root.trash_batch)
          .where("status", "=", "trashed")
          .execute();
      }
      await recordEvent(trx, "file.restored", { userId, fileIds: roots.map((r) => r.id), subtree: true });
      return roots;
    })
    .catch((err) =>
      isUniqueViolation(err) ? fail("NAME_CONFLICT", "a folder got an item with that name meanwhile; try again") : Promise.reject(err),
    );
  await Promise.all(restored.map((r) => deps.scheduler.cancel(`trash-purge-${r.trash_batch}`)));
  return { restoredCount: restored.length };
}
