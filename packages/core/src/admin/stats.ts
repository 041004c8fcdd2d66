import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import { utcDay } from "./upload-days";

const DAYS = 30;
const DAY_MS = 86_400_000;

/**
 * System figures in three statements that never read the files table:
 * - users (one pass over users, one row per account);
 * - files, contents, stored and logical bytes from blobs: a row per distinct content holds its size
 *   and its reference count (one per file row in a drive or recycle bin), so files = Σ refs,
 *   stored = Σ size, logical = Σ size × refs;
 * - the instant-upload rate from upload_days: per user and day, instant and byte-sending completions,
 *   counted when each upload completes; 30 days read at most 30 rows per active user through its day index.
 */
export async function stats(deps: CoreDeps) {
  const now = deps.clock.now();
  const first = utcDay(new Date(now.getTime() - (DAYS - 1) * DAY_MS));
  const [people, content, shares, days] = await Promise.all([
    sql<{ users: number; disabled: number; admins: number }>`
      select count(*) as users, count(disabled_at) as disabled, count(*) filter (where role = 'admin') as admins from users`.execute(
      deps.db,
    ),
    sql<{ blobs: number; stored: number; logical: number; files: number }>`
      select count(*) as blobs, coalesce(sum(size), 0) as stored, coalesce(sum(size * ref_count), 0) as logical,
             coalesce(sum(ref_count), 0) as files
      from blobs where ref_count > 0`.execute(deps.db),
    sql<{ shares: number; banned: number }>`select count(*) as shares, count(*) filter (where status = 1) as banned from shares`.execute(
      deps.db,
    ),
    sql<{ day: string; instant: number; uploaded: number }>`
      select to_char(day, 'YYYY-MM-DD') as day, sum(instant) as instant, sum(uploaded) as uploaded
      from upload_days where day >= ${first}::date group by day`.execute(deps.db),
  ]);
  const p = people.rows[0]!;
  const c = content.rows[0]!;
  const s = shares.rows[0]!;
  const byDay = new Map(days.rows.map((d) => [d.day, d]));
  const uploadDays = Array.from({ length: DAYS }, (_, i) => {
    const day = utcDay(new Date(now.getTime() - (DAYS - 1 - i) * DAY_MS));
    const row = byDay.get(day);
    const instant = Number(row?.instant ?? 0);
    const completed = instant + Number(row?.uploaded ?? 0);
    return { day, instant, completed, rate: completed ? instant / completed : 0 };
  });
  const instant = uploadDays.reduce((n, d) => n + d.instant, 0);
  const completed = uploadDays.reduce((n, d) => n + d.completed, 0);
  const stored = Number(c.stored);
  const logical = Number(c.logical);
  return {
    users: Number(p.users),
    disabledUsers: Number(p.disabled),
    admins: Number(p.admins),
    files: Number(c.files),
    blobs: Number(c.blobs),
    storedBytes: stored,
    logicalBytes: logical,
    dedupRatio: stored ? logical / stored : 1,
    shares: Number(s.shares),
    bannedShares: Number(s.banned),
    instantRate: completed ? instant / completed : 0,
    uploadDays,
  };
}
