import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { fail } from "../errors";
import { fileItemQuery, toFileItem } from "./tree";

/** The breadcrumb from the root down to (and including) the item. */
export async function breadcrumb(db: Db, id: number) {
  const rows = await sql<{ identity: string; name: string; depth: number }>`
    with recursive up(id, parent_id, identity, name, depth) as (
      select id, parent_id, identity, name, 0 from files where id = ${id}
      union all
      select f.id, f.parent_id, f.identity, f.name, up.depth + 1 from files f join up on f.id = up.parent_id
    ) select identity, name, depth from up order by depth desc`.execute(db);
  return rows.rows.map(({ identity, name }) => ({ identity: String(identity), name }));
}

export async function detail(deps: CoreDeps, userId: number, identity: string) {
  const row = await fileItemQuery(deps.db)
    .where("f.identity", "=", identity)
    .where("f.user_id", "=", userId)
    .where("f.status", "=", "active")
    .executeTakeFirst();
  if (!row) return fail("FILE_NOT_FOUND");
  return { file: toFileItem(row), path: await breadcrumb(deps.db, row.id) };
}
