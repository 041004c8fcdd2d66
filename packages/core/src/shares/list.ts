import type { QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { shareItemQuery, toShareItem } from "./shared";

/** The caller's shares, newest first. */
export async function list(deps: CoreDeps, userId: number, query: QueryOf<typeof shareRoutes.list>) {
  const [rows, total] = await Promise.all([
    shareItemQuery(deps.db)
      .where("s.user_id", "=", userId)
      .orderBy("s.created_at", "desc")
      .orderBy("s.id", "desc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    deps.db
      .selectFrom("shares")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow(),
  ]);
  const now = deps.clock.now();
  return { list: rows.map((row) => toShareItem(row, now)), total: Number(total.n), page: query.page, pageSize: query.pageSize };
}
