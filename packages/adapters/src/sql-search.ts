import { sql, type Expression, type SqlBool } from "kysely";
import { SEARCH_RESULT_WINDOW } from "@polaris/contract";
import type { Db, SearchEngine, SearchQuery } from "@polaris/core";

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const columns = { size: "f.size", create_time: "f.created_at", update_time: "f.updated_at" } as const;
/** byExt lists this many extensions, as OpenSearch's terms aggregation does. */
const TOP_EXTENSIONS = 100;

/**
 * Search answered by SQL over the files table (the embedded profile: no second engine). A keyword matches
 * wherever it occurs in the name, case-insensitively, which covers words, prefixes, infixes and Chinese
 * names alike. The candidates come from files_search_grams (migration 0007: the keyword's character pairs
 * under the owner), which serves a keyword of any length; `lower(name) like` decides.
 */
export function createSqlSearch(db: Db): SearchEngine {
  return {
    async search(userId, q) {
      let base = db.selectFrom("files as f").where("f.user_id", "=", userId).where("f.status", "=", "active");
      if (q.keyword) {
        base = base
          .where(sql<SqlBool>`search_grams(f.user_id, f.name) @> search_keyword_grams(${userId}, ${q.keyword})`)
          .where(sql<SqlBool>`lower(f.name) like lower(${`%${escapeLike(q.keyword)}%`})`);
      }
      if (q.exts.length) base = base.where("f.ext", "in", q.exts);
      if (q.isDir !== undefined) base = base.where("f.is_dir", "=", q.isDir);
      if (q.minSize !== undefined) base = base.where("f.size", ">=", q.minSize);
      if (q.maxSize !== undefined) base = base.where("f.size", "<=", q.maxSize);
      if (q.folderId !== undefined) base = base.where(sql<SqlBool>`f.id in (${below(q.folderId)})`);

      // With a keyword the index bounds the matches and the sort reads them all: the total comes in the
      // same pass. Without one, a count that stops at the result window is cheaper than a window over
      // the whole drive, and a page that is not full says the total itself.
      let page = base.select(["f.id", (q.keyword ? sql<number | null>`count(*) over ()` : sql<number | null>`null`).as("total")]);
      for (const [expression, direction] of orderOf(q)) page = page.orderBy(expression, direction);
      const rows = await page.offset(q.offset).limit(q.limit).execute();
      const total =
        rows[0]?.total != null
          ? Number(rows[0].total)
          : rows.length < q.limit && (rows.length > 0 || q.offset === 0)
            ? q.offset + rows.length
            : Number(
                (
                  await db
                    .selectFrom(base.select("f.id").limit(SEARCH_RESULT_WINDOW).as("hits"))
                    .select((eb) => eb.fn.countAll<number>().as("n"))
                    .executeTakeFirstOrThrow()
                ).n,
              );
      return { total: Math.min(total, SEARCH_RESULT_WINDOW), ids: rows.map((r) => r.id) };
    },

    async stats(userId) {
      const mine = db.selectFrom("files").where("user_id", "=", userId).where("status", "=", "active");
      const [totals, byExt] = await Promise.all([
        mine
          .select([
            sql<number>`count(*) filter (where not is_dir)`.as("files"),
            sql<number>`count(*) filter (where is_dir)`.as("folders"),
            sql<number>`coalesce(sum(size) filter (where not is_dir), 0)`.as("size"),
          ])
          .executeTakeFirstOrThrow(),
        mine
          .where("is_dir", "=", false)
          .select(["ext", sql<number>`count(*)`.as("count"), sql<number>`sum(size)`.as("size")])
          .groupBy("ext")
          .orderBy(sql`count(*)`, "desc")
          .orderBy(sql`ext collate "C"`)
          .limit(TOP_EXTENSIONS)
          .execute(),
      ]);
      return {
        totalFiles: Number(totals.files),
        totalFolders: Number(totals.folders),
        totalSize: Number(totals.size),
        byExt: byExt.map((e) => ({ ext: e.ext, count: Number(e.count), size: Number(e.size) })),
      };
    },
  };
}

/** Active items anywhere below the folder. */
const below = (folderId: number) => sql`
  with recursive below(id) as (
    select id from files where parent_id = ${folderId} and status = 'active'
    union all
    select f.id from files f join below b on f.parent_id = b.id where f.status = 'active'
  ) select id from below`;

type Order = [Expression<unknown>, "asc" | "desc"];

/**
 * Relevance ranks in tiers, as the OpenSearch engine scores: the whole name, then the keyword as a whole
 * word, then as a word prefix, then anywhere; within a tier shorter names first. Without a keyword, the
 * most recently updated first. Names sort by code point (what OpenSearch's keyword sort does), and every
 * order ends on the id. The tier is one CASE: a whole word is a word prefix too, so a row pays the
 * second regular expression only when the first fails (they cost most of a relevance sort).
 */
function orderOf(q: SearchQuery): Order[] {
  const id = sql.ref("f.id");
  if (q.sortBy === "relevance") {
    if (!q.keyword)
      return [
        [sql.ref("f.updated_at"), "desc"],
        [id, "desc"],
      ];
    const word = escapeRegExp(q.keyword);
    const tier = sql`case
      when lower(f.name) = lower(${q.keyword}) then 0
      when f.name ~* ${`(^|[^[:alnum:]])${word}([^[:alnum:]]|$)`} then 1
      when f.name ~* ${`(^|[^[:alnum:]])${word}`} then 2
      else 3 end`;
    return [
      [tier, "asc"],
      [sql`length(f.name)`, "asc"],
      [id, "asc"],
    ];
  }
  const column = q.sortBy === "name" ? sql`f.name collate "C"` : sql.ref(columns[q.sortBy]);
  return [
    [column, q.sortDesc ? "desc" : "asc"],
    [id, "asc"],
  ];
}
