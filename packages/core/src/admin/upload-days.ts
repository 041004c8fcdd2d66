import { sql } from "kysely";
import type { Db } from "../db/schema";

/** The UTC day of a time, as upload_days keys it. */
export const utcDay = (time: Date) => time.toISOString().slice(0, 10);

/**
 * Counts an instant upload on the user's row of the (UTC) day, in the transaction that links it, so the
 * figure is exact; the caller holds the user's tree lock, so the row is contended by nobody else. Uploads
 * that send their bytes are counted by a trigger on the uploads row they complete (migration 0008).
 */
export async function countInstantUpload(db: Db, userId: number) {
  await sql`insert into upload_days (user_id, day, instant) values (${userId}, (now() at time zone 'utc')::date, 1)
    on conflict (user_id, day) do update set instant = upload_days.instant + 1`.execute(db);
}
