import type { QueryOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fileItemQuery, toFileItem } from "../files/tree";
import { toUnixSeconds } from "../time";

export async function listTrash(deps: CoreDeps, userId: number, query: QueryOf<typeof fileRoutes.trashList>) {
  const base = fileItemQuery(deps.db).where("f.user_id", "=", userId).where("f.status", "=", "trashed").where("f.trash_root", "=", true);
  const [rows, total] = await Promise.all([
    base
      .orderBy("f.trashed_at", "desc")
      .orderBy("f.id", "desc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    list: rows.map((row) => ({
      ...toFileItem(row),
      deleteTime: toUnixSeconds(row.trashed_at ?? row.updated_at),
      purgeTime: toUnixSeconds(row.purge_at ?? row.updated_at),
    })),
    total: Number(total.n),
  };
}
