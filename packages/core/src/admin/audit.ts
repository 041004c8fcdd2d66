import type { QueryOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { toUnixSeconds } from "../time";

/** Writes one audit row in the caller's transaction, so it exists exactly when the change does. */
export async function recordAudit(db: Db, actorId: number, action: string, target: string, detail = "") {
  await db.insertInto("admin_audit").values({ actor_id: actorId, action, target, detail }).execute();
}

/** The audit log, newest first. */
export async function listAudit(deps: CoreDeps, query: QueryOf<typeof adminRoutes.audit>) {
  const [rows, total] = await Promise.all([
    deps.db
      .selectFrom("admin_audit as a")
      .leftJoin("users as u", "u.id", "a.actor_id")
      .select(["a.id", "a.action", "a.target", "a.detail", "a.created_at", "u.mobile"])
      .orderBy("a.id", "desc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    deps.db
      .selectFrom("admin_audit")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    list: rows.map((r) => ({
      id: Number(r.id),
      actorMobile: r.mobile ?? "",
      action: r.action,
      target: r.target,
      detail: r.detail,
      time: toUnixSeconds(r.created_at),
    })),
    total: Number(total.n),
    page: query.page,
    pageSize: query.pageSize,
  };
}
