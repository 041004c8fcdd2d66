import { sql, type ExpressionBuilder } from "kysely";
import type { AdminUser, QueryOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Database, Db, UsersTable } from "../db/schema";
import { fail } from "../errors";
import { toUnixSeconds } from "../time";

/** Users with the columns of an AdminUser; `items` sums the user's folder counts (one row per folder, not one per file). */
const adminUserQuery = (db: Db) =>
  db
    .selectFrom("users as u")
    .select([
      "u.id",
      "u.mobile",
      "u.name",
      "u.role",
      "u.disabled_at",
      "u.quota_total",
      "u.quota_used",
      "u.quota_reserved",
      "u.created_at",
      "u.last_login_at",
      sql<number>`(select coalesce(sum(c.active_children), 0) from folder_counts c where c.user_id = u.id)`.as("items"),
    ]);

type AdminUserRow = Awaited<ReturnType<ReturnType<typeof adminUserQuery>["executeTakeFirstOrThrow"]>>;

const toAdminUser = (r: AdminUserRow): AdminUser => ({
  id: Number(r.id),
  mobile: r.mobile,
  name: r.name,
  role: r.role,
  disabled: r.disabled_at !== null,
  totalSize: Number(r.quota_total),
  usedSize: Number(r.quota_used),
  reservedSize: Number(r.quota_reserved),
  items: Number(r.items),
  createTime: toUnixSeconds(r.created_at),
  lastLoginTime: r.last_login_at ? toUnixSeconds(r.last_login_at) : 0,
});

/** One user by mobile, as the admin API shows them; USER_NOT_FOUND when nobody has it. */
export async function adminUser(db: Db, mobile: string) {
  const row = await adminUserQuery(db).where("u.mobile", "=", mobile).executeTakeFirst();
  if (!row) return fail("USER_NOT_FOUND", `no user with mobile ${mobile}`);
  return toAdminUser(row);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Users newest first; a keyword matches the mobile or the name anywhere, ignoring case. */
export async function listUsers(deps: CoreDeps, query: QueryOf<typeof adminRoutes.users>) {
  const pattern = `%${escapeLike((query.keyword ?? "").toLowerCase())}%`;
  const matches = (eb: ExpressionBuilder<Database & { u: UsersTable }, "u">) =>
    eb.or([eb("u.mobile", "like", pattern), eb(eb.fn("lower", ["u.name"]), "like", pattern)]);
  const [rows, total] = await Promise.all([
    adminUserQuery(deps.db)
      .$if(Boolean(query.keyword), (q) => q.where(matches))
      .orderBy("u.id", "desc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    deps.db
      .selectFrom("users as u")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .$if(Boolean(query.keyword), (q) => q.where(matches))
      .executeTakeFirstOrThrow(),
  ]);
  return { list: rows.map(toAdminUser), total: Number(total.n), page: query.page, pageSize: query.pageSize };
}
