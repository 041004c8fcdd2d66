import { sql, type Kysely } from "kysely";

export const migration0003Shares = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("shares")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("identity", "uuid", (c) => c.notNull().unique())
      .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
      .addColumn("file_id", "bigint", (c) => c.notNull().references("files.id"))
      .addColumn("code", "varchar(4)")
      // Bumped on every code change: share tokens and wrong-code counters of an older code stop counting.
      .addColumn("code_version", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("expired_type", "smallint", (c) => c.notNull().check(sql`expired_type in (0, 1, 7, 30)`))
      .addColumn("expired_at", "timestamptz")
      .addColumn("click_num", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("save_num", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("status", "smallint", (c) => c.notNull().defaultTo(0).check(sql`status in (0, 1, 2, 3)`))
      .addColumn("created_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    // The owner's list: newest first, keyed by id for a stable order.
    await sql`create index shares_owner_list on shares (user_id, created_at desc, id desc)`.execute(db);
  },
};
