import { sql, type Kysely } from "kysely";

export const migration0001Users = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("users")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity())
      .addColumn("mobile", "varchar(11)", (c) => c.notNull().unique())
      .addColumn("name", "varchar(32)", (c) => c.notNull())
      .addColumn("avatar", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("info", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("password_hash", "text", (c) => c.notNull())
      .addColumn("quota_total", "bigint", (c) => c.notNull())
      .addColumn("quota_used", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("quota_reserved", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint("users_quota_nonnegative", sql`quota_used >= 0 and quota_reserved >= 0`)
      .execute();
    await db.schema
      .createTable("idempotency_keys")
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("request_hash", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("response", "text")
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["scope", "key"])
      .execute();
  },
};
