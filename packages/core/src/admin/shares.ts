import type { AdminShare, QueryOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { fail } from "../errors";
import { isPast } from "../shares/shared";
import { toUnixSeconds } from "../time";

const adminShareQuery = (db: Db) =>
  db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.id",
      "s.identity",
      "s.code",
      "s.click_num",
      "s.save_num",
      "s.status",
      "s.expired_at",
      "s.created_at",
      "f.name as file_name",
      "f.is_dir",
      "u.mobile",
      "u.name as owner_name",
      "u.disabled_at",
    ]);

type Row = Awaited<ReturnType<ReturnType<typeof adminShareQuery>["executeTakeFirstOrThrow"]>>;

const toAdminShare = (r: Row, now: Date): AdminShare => ({
  identity: r.identity,
  fileName: r.file_name,
  isDir: r.is_dir,
  ownerMobile: r.mobile,
  ownerName: r.owner_name,
  ownerDisabled: r.disabled_at !== null,
  hasCode: r.code !== null,
  clickNum: r.click_num,
  saveNum: r.save_num,
  // A share past its time shows as expired at once, whether or not the expiry job ran.
  status: r.status === 0 && isPast(r.expired_at, now) ? 3 : r.status,
  expiredTime: r.expired_at ? toUnixSeconds(r.expired_at) : 0,
  createTime: toUnixSeconds(r.created_at),
});

/** One share as the admin API shows it; SHARE_NOT_FOUND when nobody has it. */
export async function adminShare(deps: CoreDeps, db: Db, identity: string) {
  const row = await adminShareQuery(db).where("s.identity", "=", identity).executeTakeFirst();
  if (!row) return fail("SHARE_NOT_FOUND");
  return toAdminShare(row, deps.clock.now());
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Every user's shares, newest first; a keyword matches the file name (ignoring case) or the owner's mobile. */
export async function listShares(deps: CoreDeps, query: QueryOf<typeof adminRoutes.shares>) {
  const pattern = `%${escapeLike((query.keyword ?? "").toLowerCase())}%`;
  const base = adminShareQuery(deps.db)
    .$if(Boolean(query.keyword), (q) =>
      q.where((eb) => eb.or([eb("u.mobile", "like", pattern), eb(eb.fn("lower", ["f.name"]), "like", pattern)])),
    )
    .$if(query.status !== undefined, (q) => q.where("s.status", "=", query.status!));
  const [rows, total] = await Promise.all([
    base
      .orderBy("s.id", "desc")
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  const now = deps.clock.now();
  return { list: rows.map((r) => toAdminShare(r, now)), total: Number(total.n), page: query.page, pageSize: query.pageSize };
}
