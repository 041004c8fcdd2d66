import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { heldClaim, type Db, type IdempotencyStore } from "@polaris/core";

const secondsFromNow = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

/**
 * Idempotency keys in the relational database: the embedded and parity profiles' store. In progress,
 * `expires_at` is the end of the claim's lease; done, the end of the record's TTL. Past either, the
 * next claim takes the row over in the same upsert, so one of two racing retries wins.
 */
export function createSqlIdempotencyStore(db: Db): IdempotencyStore {
  return {
    async claim(scope, key, requestHash, leaseSeconds) {
      const lease = randomUUID();
      const claim = {
        request_hash: requestHash,
        status: "in_progress",
        response: null,
        lease,
        expires_at: secondsFromNow(leaseSeconds),
      } as const;
      const inserted = await db
        .insertInto("idempotency_keys")
        .values({ scope, key, ...claim })
        .onConflict((oc) => oc.columns(["scope", "key"]).doUpdateSet(claim).where("idempotency_keys.expires_at", "<", sql<Date>`now()`))
        .returning("key")
        .executeTakeFirst();
      if (inserted) return { claimed: true, lease };
      const held = await db
        .selectFrom("idempotency_keys")
        .select(["status", "request_hash", "response"])
        .where("scope", "=", scope)
        .where("key", "=", key)
        .executeTakeFirst();
      // Released between the upsert and this read: claim again.
      if (!held) return this.claim(scope, key, requestHash, leaseSeconds);
      return heldClaim(held.status, held.request_hash, held.response);
    },
    async complete(scope, key, lease, response, ttlSeconds) {
      // Only the claim that still holds the key: one taken over after its lease stores nothing.
      await db
        .updateTable("idempotency_keys")
        .set({ status: "done", response, expires_at: secondsFromNow(ttlSeconds) })
        .where("scope", "=", scope)
        .where("key", "=", key)
        .where("lease", "=", lease)
        .execute();
    },
    async release(scope, key, lease) {
      await db.deleteFrom("idempotency_keys").where("scope", "=", scope).where("key", "=", key).where("lease", "=", lease).execute();
    },
  };
}
