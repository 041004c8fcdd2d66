import { sql } from "kysely";
import type { QueryOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { fileItemQuery, toFileItem } from "../files/tree";
import { toUnixSeconds } from "../time";

/** Each parent's path from the root ("/a/b"), walked up in one recursive query for the whole page. */
async function folderPaths(db: Db, parentIds: number[]) {
  const ids = [...new Set(parentIds.filter((id) => id !== 0))];
  const paths = new Map<number, string>([[0, "/"]]);
  if (!ids.length) return paths;
  const rows = await sql<{ start: number; names: string[] }>`
    with recursive up(start, id, parent_id, name, depth) as (
      select id, id, parent_id, name, 0 from files where id = any(${ids}::bigint[])
      union all
      select up.start, f.id, f.parent_id, f.name, up.depth + 1 from files f join up on f.id = up.parent_id
    ) select start, array_agg(name order by depth desc) as names from up group by start`.execute(db);
  for (const row of rows.rows) paths.set(Number(row.start), `/${row.names.join("/")}`);
  return paths;
}

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
  const paths = await folderPaths(
    deps.db,
    rows.map((row) => Number(row.parent_id)),
  );
  return {
    list: rows.map((row) => ({
      ...toFileItem(row),
      deleteTime: toUnixSeconds(row.trashed_at ?? row.updated_at),
      purgeTime: toUnixSeconds(row.purge_at ?? row.updated_at),
      originPath: paths.get(Number(row.parent_id)) ?? "/",
    })),
    total: Number(total.n),
  };
}
