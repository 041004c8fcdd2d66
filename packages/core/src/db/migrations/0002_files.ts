import { sql, type Kysely } from "kysely";

export const migration0002Files = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("blobs")
      .addColumn("sha256", "char(64)", (c) => c.primaryKey())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("object_key", "text", (c) => c.notNull())
      .addColumn("ref_count", "integer", (c) => c.notNull().check(sql`ref_count >= 0`))
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();

    await db.schema
      .createTable("files")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("identity", "uuid", (c) => c.notNull().unique())
      .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
      .addColumn("parent_id", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("ext", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("is_dir", "boolean", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("blob_sha256", "char(64)", (c) => c.references("blobs.sha256"))
      .addColumn("mime_type", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("status", "text", (c) => c.notNull().defaultTo("active").check(sql`status in ('active','trashed','purged')`))
      .addColumn("trash_batch", "uuid")
      .addColumn("trash_root", "boolean", (c) => c.notNull().defaultTo(false))
      .addColumn("trashed_at", "timestamptz")
      .addColumn("purge_at", "timestamptz")
      .addColumn("version", "bigint", (c) => c.notNull().defaultTo(1))
      .addColumn("created_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
      .addCheckConstraint("files_dir_has_no_blob", sql`not (is_dir and blob_sha256 is not null)`)
      .execute();
    // Two active siblings with one name are impossible, whatever races happen above.
    await sql`create unique index files_active_sibling_name on files (user_id, parent_id, name) where status = 'active'`.execute(db);
    // Listing and keyset paging: folders first, then the sort key, then id.
    await sql`create index files_list_name on files (user_id, parent_id, is_dir desc, name, id) where status = 'active'`.execute(db);
    await sql`create index files_list_size on files (user_id, parent_id, is_dir desc, size, id) where status = 'active'`.execute(db);
    await sql`create index files_list_created on files (user_id, parent_id, is_dir desc, created_at, id) where status = 'active'`.execute(
      db,
    );
    await sql`create index files_list_updated on files (user_id, parent_id, is_dir desc, updated_at, id) where status = 'active'`.execute(
      db,
    );
    await sql`create index files_children on files (parent_id) where status <> 'purged'`.execute(db);
    await sql`create index files_trash on files (user_id, trashed_at desc) where status = 'trashed' and trash_root`.execute(db);
    await sql`create index files_trash_batch on files (trash_batch) where trash_batch is not null`.execute(db);
    await sql`create index files_blob on files (blob_sha256) where blob_sha256 is not null`.execute(db);

    await db.schema
      .createTable("uploads")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("upload_key", "uuid", (c) => c.notNull().unique())
      .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
      .addColumn("sha256", "char(64)", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("parent_id", "bigint", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("mime_type", "text", (c) => c.notNull())
      .addColumn("object_key", "text", (c) => c.notNull().unique())
      .addColumn("multipart_upload_id", "text")
      .addColumn("part_size", "bigint")
      .addColumn("reserved", "bigint", (c) => c.notNull())
      .addColumn("status", "text", (c) =>
        c.notNull().defaultTo("pending").check(sql`status in ('pending','completed','failed','aborted','expired')`),
      )
      .addColumn("file_id", "bigint")
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();

    await db.schema
      .createTable("upload_challenges")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("user_id", "bigint", (c) => c.notNull())
      .addColumn("sha256", "char(64)", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("offset", "bigint", (c) => c.notNull())
      .addColumn("length", "integer", (c) => c.notNull())
      .addColumn("nonce", "text", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .execute();
    await sql`create index upload_challenges_lookup on upload_challenges (user_id, sha256, size)`.execute(db);

    // Durable delayed jobs of the embedded profile (EventBridge Scheduler on AWS).
    await db.schema
      .createTable("scheduled_jobs")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("payload", "jsonb", (c) => c.notNull())
      .addColumn("run_at", "timestamptz", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .execute();
    await sql`create index scheduled_jobs_due on scheduled_jobs (run_at)`.execute(db);

    // Domain events written in the same transaction as the change (published after commit).
    await db.schema
      .createTable("outbox")
      .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("payload", "jsonb", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("sent_at", "timestamptz")
      .execute();
    await sql`create index outbox_unsent on outbox (id) where sent_at is null`.execute(db);
  },
};
