import { sql, type Kysely } from "kysely";

/**
 * Each claim of an idempotency key names itself (`lease`), so a request whose claim was taken over
 * after its lease (it was taken for dead) cannot complete or release its successor's claim. Claims
 * in progress from before held for the whole TTL; their requests are gone, so they end now.
 */
export const migration0006IdempotencyLease = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable("idempotency_keys").addColumn("lease", "text").execute();
    await sql`update idempotency_keys set expires_at = now() where status = 'in_progress' and expires_at > now()`.execute(db);
  },
};
