import { sql, type Kysely } from "kysely";

/**
 * Zip jobs, and the limits a share link can carry.
 *
 * A zip job names the items it packs (`file_ids`, roots of subtrees of `owner_id`'s drive) and who may
 * follow it: the user who asked (`user_id`) or the visitors of a share (`share_id`). Its object lives
 * under `zips/` until `expires_at`, then the zip.expire job deletes it.
 *
 * Shares: `download_num` counts the download URLs (and zips) a share gave out, `click_num` its visitors'
 * views; a limit, when set, is the count at which the link closes (410). `expired_type` -1 says the
 * expiry is the date the owner picked (`expired_at`) rather than 1/7/30 days from then.
 */
export const migration0010ZipJobsShareLimits = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("zip_jobs")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("identity", "uuid", (c) => c.notNull().unique())
      .addColumn("user_id", "bigint", (c) => c.references("users.id"))
      .addColumn("share_id", "bigint", (c) => c.references("shares.id"))
      .addColumn("owner_id", "bigint", (c) => c.notNull().references("users.id"))
      .addColumn("file_ids", sql`bigint[]`, (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) =>
        c.notNull().defaultTo("pending").check(sql`status in ('pending', 'running', 'done', 'failed', 'expired')`),
      )
      .addColumn("total_bytes", "bigint", (c) => c.notNull())
      .addColumn("total_entries", "integer", (c) => c.notNull())
      .addColumn("done_bytes", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("done_entries", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("zip_bytes", "bigint")
      .addColumn("object_key", "text", (c) => c.notNull())
      .addColumn("upload_id", "text")
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("error", "text")
      .addColumn("expires_at", "timestamptz")
      .addColumn("created_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint("zip_jobs_for_someone", sql`user_id is not null or share_id is not null`)
      .execute();
    // A user's jobs of the last hour (the per-user ceiling).
    await sql`create index zip_jobs_user on zip_jobs (user_id, created_at) where user_id is not null`.execute(db);

    await db.schema
      .alterTable("shares")
      .addColumn("download_limit", "integer", (c) => c.check(sql`download_limit > 0`))
      .addColumn("download_num", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("view_limit", "integer", (c) => c.check(sql`view_limit > 0`))
      .addColumn("preview_only", "boolean", (c) => c.notNull().defaultTo(false))
      .execute();
    // The seed's constraint was named by PostgreSQL: find it rather than guess its name.
    const { rows } = await sql<{ conname: string }>`
      select conname from pg_constraint
      where conrelid = 'shares'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%expired_type%'`.execute(db);
    for (const { conname } of rows) await sql`alter table shares drop constraint ${sql.id(conname)}`.execute(db);
    await sql`alter table shares add constraint shares_expired_type check (expired_type in (-1, 0, 1, 7, 30))`.execute(db);
  },
};
