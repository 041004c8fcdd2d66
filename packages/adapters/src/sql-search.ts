import { sql, type RawBuilder, type SqlBool } from "kysely";
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
 * under the owner), which serves a keyword of any length. A keyword of one or two characters is one
 * entry of that index, so its candidates are its matches; a longer one's pairs may lie apart in a name,
 * and `lower(name) like` decides (lower() of every candidate was a third of a 100,000-file search).
 */
export function createSqlSearch(db: Db): SearchEngine {
  return {
    async search(userId, q) {
      let base = activeOf(db, userId);
      if (q.keyword) {
        base = base.where(sql<SqlBool>`search_grams(f.user_id, f.name) @> search_keyword_grams(${userId}, ${q.keyword})`);
        // Code points, as PostgreSQL's length() counts them. A name that holds the lowered keyword as it
        // is holds it lowered too (lower() maps character by character), so lower() runs only on the rest.
        if ([...q.keyword].length > 2) {
          const pattern = sql`lower(${`%${escapeLike(q.keyword)}%`})`;
          base = base.where(sql<SqlBool>`(f.name like ${pattern} or lower(f.name) like ${pattern})`);
        }
      }
      if (q.exts.length) base = base.where("f.ext", "in", q.exts);
      if (q.isDir !== undefined) base = base.where("f.is_dir", "=", q.isDir);
      if (q.minSize !== undefined) base = base.where("f.size", ">=", q.minSize);
      if (q.maxSize !== undefined) base = base.where("f.size", "<=", q.maxSize);
      if (q.folderId !== undefined) base = base.where(sql<SqlBool>`f.id in (${below(q.folderId)})`);

      // With a keyword the index bounds the matches and the page reads them all: the total comes in the
      // same pass. Without one, a count that stops at the result window is cheaper than a window over
      // the whole drive, and a page that is not full says the total itself.
      const rows =
        q.keyword && q.sortBy === "relevance"
          ? await relevancePage(base, q.keyword, q.offset, q.limit)
              .execute(db)
              .then((r) => r.rows)
          : await orderedPage(base, q).offset(q.offset).limit(q.limit).execute();
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

/** The caller's active items. */
const activeOf = (db: Db, userId: number) => db.selectFrom("files as f").where("f.user_id", "=", userId).where("f.status", "=", "active");
type SelectFiles = ReturnType<typeof activeOf>;

/**
 * Without a keyword, the most recently updated first; else by the field asked. Names sort by code
 * point (what OpenSearch's keyword sort does), and every order ends on the id.
 */
function orderedPage(base: SelectFiles, q: SearchQuery) {
  const page = base.select(["f.id", (q.keyword ? sql<number | null>`count(*) over ()` : sql<number | null>`null`).as("total")]);
  if (q.sortBy === "relevance") return page.orderBy("f.updated_at", "desc").orderBy("f.id", "desc");
  const column = q.sortBy === "name" ? sql`f.name collate "C"` : sql.ref(columns[q.sortBy]);
  return page.orderBy(column, q.sortDesc ? "desc" : "asc").orderBy("f.id", "asc");
}

/**
 * Relevance ranks in tiers, as the OpenSearch engine scores: the whole name (0), then the keyword as a
 * whole word (1), then as a word prefix (2), then anywhere (3); within a tier shorter names first, then
 * the id. The regular expressions that tell the tiers apart cost most of a sort by tier over every
 * match (8,000 of a 100,000-file drive's names ran both for a page of 20), so the matches are sorted
 * once by length and id, and the page is the tiers' rows read in turn from that order: each tier's
 * scan stops once the page is full, and a tier past it is never read. The tiers come in their order
 * because a plain Append runs its branches one after the other (a CTE keeps the plan from going
 * parallel), and each branch reads the sorted CTE in its order without sorting again (PostgreSQL 17
 * passes a CTE's sort order on).
 */
function relevancePage(base: SelectFiles, keyword: string, offset: number, limit: number) {
  const word = escapeRegExp(keyword);
  // Lookarounds rather than `(^|[^[:alnum:]])`: the same matches, a little cheaper to run.
  const whole = sql`name ~* ${`(?<![[:alnum:]])${word}(?![[:alnum:]])`}`;
  const prefix = sql`name ~* ${`(?<![[:alnum:]])${word}`}`;
  // The length first (code points, as length() counts): it spares lower() of every other match.
  const exact = sql`(len = ${[...keyword].length} and lower(name) = lower(${keyword}))`;
  const tier = (where: RawBuilder<unknown>) => sql`(select id from matches where ${where} order by len, id)`;
  return sql<{ id: number; total: number }>`
    with matches as materialized ${base
      .select(["f.id", "f.name", sql<number>`length(f.name)`.as("len")])
      .orderBy("len")
      .orderBy("f.id")}
    select id, (select count(*) from matches) as total from (
      ${tier(exact)}
      union all ${tier(sql`${whole} and not ${exact}`)}
      union all ${tier(sql`${prefix} and not ${whole} and not ${exact}`)}
      union all ${tier(sql`not ${prefix} and not ${exact}`)}
    ) page offset ${offset} limit ${limit}`;
}
