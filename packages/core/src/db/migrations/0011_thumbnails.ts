import { sql, type Kysely } from "kysely";

/**
 * Thumbnails by content, not by file or blob row: the thumbnail consumer may finish before the upload
 * that created the content commits its blob, and deduplicated content (copies, instant uploads, share
 * saves) shares one. Lists join it on files.blob_sha256 (its primary key).
 */
export const migration0011Thumbnails = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("thumbnails")
      .addColumn("sha256", "text", (c) => c.primaryKey())
      .addColumn("width", "integer", (c) => c.notNull())
      .addColumn("height", "integer", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
  },
};
