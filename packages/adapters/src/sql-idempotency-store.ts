import { sql } from "kysely";
import type { Db, IdempotencyRecord, IdempotencyStore } from "@polaris/core";

/** Idempotency keys in the relational database: the embedded and parity profiles' store. */
export function createSqlIdempotencyStore(db: Db): IdempotencyStore {
  return {
    async claim(scope, key, requestHash, ttlSeconds) {
      const expiresAt = sql<Date>`now() + make_interval(secs => ${ttlSeconds})`;
      // An expired record is taken over; a live one is returned to the caller.
      const inserted = await db
        .insertInto("idempotency_keys")
        .values({ scope, key, request_hash: requestHash, status: "in_progress", response: null, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.columns(["scope", "key"]).doUpdateSet({
            request_hash: requestHash, status: "in_progress", response: null, expires_at: expiresAt,
          }).where("idempotency_keys.expires_at", "<", sql<Date>`now()`),
        )
        .returning("key")
        .executeTakeFirst();
      if (inserted) return null;
      const row = await db
        .selectFrom("idempotency_keys")
        .select(["status", "request_hash", "response"])
        .where("scope", "=", scope)
        .where("key", "=", key)
        .executeTakeFirstOrThrow();
      return (row.status === "done"
        ? { status: "done", requestHash: row.request_hash, response: row.response ?? "" }
        : { status: "in_progress", requestHash: row.request_hash }) satisfies IdempotencyRecord;
    },
    async complete(scope, key, response) {
      await db
        .updateTable("idempotency_keys")
        .set({ status: "done", response })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .execute();
    },
    async release(scope, key) {
      await db.deleteFrom("idempotency_keys").where("scope", "=", scope).where("key", "=", key).execute();
    },
  };
}
