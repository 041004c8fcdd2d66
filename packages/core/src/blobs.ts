import { sql } from "kysely";
import type { Db } from "./db/schema";
import { thumbnailKey } from "./thumbnails/shared";

/** Adds references to blobs; returns false when the blob is gone (its last reference was purged meanwhile). */
export async function addBlobReferences(db: Db, sha256: string, count: number): Promise<boolean> {
  const row = await db
    .updateTable("blobs")
    .set({ ref_count: sql`ref_count + ${count}` })
    .where("sha256", "=", sha256)
    .where("ref_count", ">", 0)
    .returning("sha256")
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Drops references counted per blob and deletes the rows that reach zero; returns their object
 * keys, which the caller deletes from storage after commit.
 */
export async function dropBlobReferences(db: Db, counts: Map<string, number>): Promise<string[]> {
  if (counts.size === 0) return [];
  const shas = [...counts.keys()].sort();
  // Blob rows are locked in sha256 order by everyone (copies add in that order too): a purge and a
  // copy of the same contents by two users could otherwise wait on each other (a deadlock).
  await db.selectFrom("blobs").select("sha256").where("sha256", "in", shas).orderBy("sha256").forUpdate().execute();
  const drops = shas.map((sha) => counts.get(sha)!);
  await sql`
    update blobs b set ref_count = b.ref_count - d.n
    from unnest(${shas}::text[], ${drops}::int[]) as d(sha, n)
    where b.sha256 = d.sha`.execute(db);
  const gone = await db
    .deleteFrom("blobs")
    .where("sha256", "in", shas)
    .where("ref_count", "=", 0)
    .returning(["sha256", "object_key"])
    .execute();
  if (gone.length === 0) return [];
  // Content nobody holds any more takes its thumbnail with it.
  const thumbnails = await db
    .deleteFrom("thumbnails")
    .where(
      "sha256",
      "in",
      gone.map((g) => g.sha256),
    )
    .returning("sha256")
    .execute();
  return [...gone.map((g) => g.object_key), ...thumbnails.map((t) => thumbnailKey(t.sha256))];
}
