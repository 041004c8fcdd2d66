import { errors, type API, type Types } from "@opensearch-project/opensearch";
import { SEARCH_RESULT_WINDOW } from "@polaris/contract";
import { fail, type SearchEngine, type SearchQuery } from "@polaris/core";
import type { OpenSearchIndex } from "./opensearch-index";

/** A search waits this long before answering "unavailable" rather than hanging the request. */
const SEARCH_TIMEOUT_MS = 5_000;
const TOP_EXTENSIONS = 100;

/** The node is down, overloaded or unreachable: search says so (503) and everything else keeps working. */
const unavailable = (err: unknown) =>
  err instanceof errors.ConnectionError ||
  err instanceof errors.TimeoutError ||
  err instanceof errors.NoLivingConnectionsError ||
  (err instanceof errors.ResponseError && (err.statusCode === 429 || (err.statusCode ?? 0) >= 500));

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (unavailable(err)) return fail("SEARCH_UNAVAILABLE", "search temporarily unavailable; try again shortly");
    throw err;
  }
}

const sortFields = { name: "name.raw", size: "size", create_time: "createdAt", update_time: "updatedAt" } as const;

/**
 * Which documents match: the infix n-grams decide (any substring of the name, as the SQL engine has it);
 * the score only ranks them in tiers: the whole name, then the keyword as whole words, then as word
 * prefixes, then anywhere ("report": "report.pdf" and "annual-report.pdf", then "Reports", then
 * "myreports.txt"), as SQL does. Within a tier shorter names come first, then lower ids.
 */
function queryOf(userId: number, q: SearchQuery): Types.Common_QueryDsl.QueryContainer {
  const filter: Types.Common_QueryDsl.QueryContainer[] = [{ term: { userId } }, { term: { status: "active" } }];
  if (q.exts.length) filter.push({ terms: { ext: q.exts } });
  if (q.isDir !== undefined) filter.push({ term: { isDir: q.isDir } });
  if (q.minSize !== undefined || q.maxSize !== undefined) filter.push({ range: { size: { gte: q.minSize, lte: q.maxSize } } });
  if (q.folderId !== undefined) filter.push({ term: { ancestors: q.folderId } });
  if (!q.keyword) return { bool: { filter } };
  // Trigrams make a short, selective conjunction; one or two characters are an indexed gram themselves.
  const analyzer = [...q.keyword].length >= 3 ? "name_trigram" : "name_whole";
  filter.push({ match: { "name.infix": { query: q.keyword, operator: "and", analyzer } } });
  // Other orders need no score, so nothing is computed per hit beyond the filters.
  if (q.sortBy !== "relevance") return { bool: { filter } };
  return {
    bool: {
      filter,
      should: [
        { constant_score: { filter: { term: { "name.lower": q.keyword.toLowerCase() } }, boost: 4 } },
        { constant_score: { filter: { match: { name: { query: q.keyword, operator: "and" } } }, boost: 2 } },
        { constant_score: { filter: { match: { "name.prefix": { query: q.keyword, operator: "and" } } }, boost: 1 } },
      ],
    },
  };
}

function sortOf(q: SearchQuery): Types.Common.SortCombinations[] {
  if (q.sortBy === "relevance")
    return q.keyword ? ["_score", { nameLength: "asc" }, { id: "asc" }] : [{ updatedAt: "desc" }, { id: "desc" }];
  return [{ [sortFields[q.sortBy]]: q.sortDesc ? "desc" : "asc" }, { id: "asc" }];
}

/** Totals and the most frequent extensions of the user's active files. */
function statsRequest(userId: number): API.Search_RequestBody {
  const request: Record<string, unknown> = {
    size: 0,
    query: { bool: { filter: [{ term: { userId } }, { term: { status: "active" } }] } },
    aggs: {
      folders: { filter: { term: { isDir: true } } },
      files: {
        filter: { term: { isDir: false } },
        aggs: {
          size: { sum: { field: "size" } },
          byExt: {
            terms: { field: "ext", size: TOP_EXTENSIONS, order: [{ _count: "desc" }, { _key: "asc" }] },
            aggs: { size: { sum: { field: "size" } } },
          },
        },
      },
    },
  };
  // The generated request types lack `field` on terms aggregations.
  return request as API.Search_RequestBody;
}

/** Filename search and stats over the OpenSearch index, always within one user's active documents. */
export function createOpenSearchEngine(index: OpenSearchIndex): SearchEngine {
  const { client, name: alias } = index;
  const options = { requestTimeout: SEARCH_TIMEOUT_MS, maxRetries: 0 };
  return {
    search: (userId, q) =>
      guarded(async () => {
        await index.ensure();
        const { body } = await client.search(
          {
            index: alias,
            routing: String(userId),
            body: {
              query: queryOf(userId, q),
              sort: sortOf(q),
              from: q.offset,
              size: q.limit,
              _source: false,
              track_total_hits: SEARCH_RESULT_WINDOW,
            },
          },
          options,
        );
        const total = body.hits.total;
        return { total: typeof total === "number" ? total : (total?.value ?? 0), ids: body.hits.hits.map((hit) => Number(hit._id)) };
      }),

    stats: (userId) =>
      guarded(async () => {
        await index.ensure();
        const { body } = await client.search({ index: alias, routing: String(userId), body: statsRequest(userId) }, options);
        const aggs = body.aggregations as unknown as {
          folders: { doc_count: number };
          files: {
            doc_count: number;
            size: { value: number };
            byExt: { buckets: { key: string; doc_count: number; size: { value: number } }[] };
          };
        };
        return {
          totalFiles: aggs.files.doc_count,
          totalFolders: aggs.folders.doc_count,
          totalSize: Math.round(aggs.files.size.value),
          byExt: aggs.files.byExt.buckets.map((b) => ({ ext: b.key, count: b.doc_count, size: Math.round(b.size.value) })),
        };
      }),
  };
}
