import { sql } from "kysely";
import type { Db } from "./db/schema";
import { fail } from "./errors";

/** One conditional UPDATE per change: concurrent requests can never push a user over the quota. */
async function charge(db: Db, userId: number, bytes: number, column: "quota_reserved" | "quota_used") {
  const row = await db
    .updateTable("users")
    .set({ [column]: sql`${sql.ref(column)} + ${bytes}` })
    .where("id", "=", userId)
    .where(sql<boolean>`quota_used + quota_reserved + ${bytes} <= quota_total`)
    .returning("id")
    .executeTakeFirst();
  if (!row) fail("QUOTA_EXCEEDED");
}

/** Holds space for an upload in progress. */
export const reserveQuota = (db: Db, userId: number, bytes: number) => charge(db, userId, bytes, "quota_reserved");

/** Uses space at once (instant uploads, copies, saves). */
export const consumeQuota = async (db: Db, userId: number, bytes: number) => {
  if (bytes > 0) await charge(db, userId, bytes, "quota_used");
};

/** Turns an upload's reservation into usage of its real size. */
export async function settleReservation(db: Db, userId: number, reserved: number, used: number) {
  await db
    .updateTable("users")
    .set({ quota_reserved: sql`quota_reserved - ${reserved}`, quota_used: sql`quota_used + ${used}` })
    .where("id", "=", userId)
    .execute();
}

export async function releaseUsage(db: Db, userId: number, bytes: number) {
  if (bytes === 0) return;
  await db
    .updateTable("users")
    .set({ quota_used: sql`greatest(quota_used - ${bytes}, 0)` })
    .where("id", "=", userId)
    .execute();
}
