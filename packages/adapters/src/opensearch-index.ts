import { Client, errors, type API } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws-v3";
import type { SearchDocument, SearchIndex } from "@polaris/core";

/**
 * Names are analysed three ways, in any script: `name` by words (punctuation splits words; Chinese runs
 * become overlapping character pairs), `name.prefix` by word prefixes (edge n-grams of those words) and
 * `name.infix` by every 1–3 character n-gram of the whole name, which makes any substring findable,
 * Chinese ones included (`报告` in `年度报告2025.pdf`): a keyword of three or more characters is looked up
 * by its trigrams, a shorter one as the single 1- or 2-gram it is. `name.raw` sorts, `name.lower` finds
 * exact names. Nothing is scored by term frequency (ranking is by match tier, then name length), so the
 * name fields keep no frequencies, positions or norms; display-only fields are not indexed at all.
 */
export const INDEX_DEFINITION: API.Indices_Create_RequestBody = {
  settings: {
    number_of_shards: 1,
    auto_expand_replicas: "0-1",
    "index.max_ngram_diff": 2,
    analysis: {
      char_filter: { name_separators: { type: "pattern_replace", pattern: "[._\\-()\\[\\]{}+,;!@#$%^&=~`']+", replacement: " " } },
      tokenizer: {
        name_ngram: { type: "ngram", min_gram: 1, max_gram: 3, token_chars: [] },
        name_trigram: { type: "ngram", min_gram: 3, max_gram: 3, token_chars: [] },
      },
      filter: { name_edge: { type: "edge_ngram", min_gram: 1, max_gram: 20 } },
      normalizer: { name_lower: { type: "custom", filter: ["lowercase"] } },
      analyzer: {
        name_word: {
          type: "custom",
          char_filter: ["name_separators"],
          tokenizer: "standard",
          filter: ["cjk_width", "lowercase", "cjk_bigram"],
        },
        name_prefix: {
          type: "custom",
          char_filter: ["name_separators"],
          tokenizer: "standard",
          filter: ["cjk_width", "lowercase", "cjk_bigram", "name_edge"],
        },
        name_infix: { type: "custom", tokenizer: "name_ngram", filter: ["cjk_width", "lowercase"] },
        name_trigram: { type: "custom", tokenizer: "name_trigram", filter: ["cjk_width", "lowercase"] },
        name_whole: { type: "custom", tokenizer: "keyword", filter: ["cjk_width", "lowercase"] },
      },
    },
  },
  mappings: {
    dynamic: "strict",
    properties: {
      id: { type: "long" },
      identity: { type: "keyword", index: false, doc_values: false },
      userId: { type: "long" },
      parentId: { type: "long" },
      parentIdentity: { type: "keyword", index: false, doc_values: false },
      ancestors: { type: "long" },
      path: { type: "keyword", index: false, doc_values: false },
      name: {
        type: "text",
        analyzer: "name_word",
        index_options: "docs",
        norms: false,
        fields: {
          prefix: { type: "text", analyzer: "name_prefix", search_analyzer: "name_word", index_options: "docs", norms: false },
          infix: { type: "text", analyzer: "name_infix", index_options: "docs", norms: false },
          raw: { type: "keyword" },
          lower: { type: "keyword", normalizer: "name_lower" },
        },
      },
      nameLength: { type: "integer" },
      ext: { type: "keyword" },
      size: { type: "long" },
      isDir: { type: "boolean" },
      mimeType: { type: "keyword", index: false, doc_values: false },
      status: { type: "keyword" },
      createdAt: { type: "date", format: "epoch_millis" },
      updatedAt: { type: "date", format: "epoch_millis" },
    },
  },
};

/** Documents per bulk request. */
const BULK_DOCS = 1000;

type VersionType = "external" | "external_gte";

const source = (d: SearchDocument) => ({
  id: d.id,
  identity: d.identity,
  userId: d.userId,
  parentId: d.parentId,
  parentIdentity: d.parentIdentity,
  ancestors: d.ancestors,
  path: d.path,
  name: d.name,
  nameLength: [...d.name].length,
  ext: d.ext,
  size: d.size,
  isDir: d.isDir,
  mimeType: d.mimeType,
  status: d.status,
  createdAt: d.createdAt.getTime(),
  updatedAt: d.updatedAt.getTime(),
});

/** Amazon OpenSearch Service domains take IAM-signed requests; a local node takes plain ones. */
function connect(url: string, region: string) {
  const signed = new URL(url).hostname.endsWith(".amazonaws.com");
  return new Client({ node: url, requestTimeout: 30_000, ...(signed ? AwsSigv4Signer({ region, service: "es" }) : {}) });
}

const isResponse = (err: unknown, type: string) => err instanceof errors.ResponseError && JSON.stringify(err.body ?? "").includes(type);

export interface OpenSearchIndexOptions {
  url: string;
  /** The alias every reader and writer uses; the index behind it is `<alias>-v<n>`. */
  alias: string;
  region: string;
}

/** The port, plus what the OpenSearch engine reads through the same connection (and tests, benchmarks). */
export interface OpenSearchIndex extends SearchIndex {
  client: Client;
  /** Creates the first index and its alias unless they exist. */
  ensure(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The search index behind an alias, so a rebuild fills a new index and swaps the alias in one step.
 * Writes carry the row's version with external versioning: OpenSearch keeps whichever version is newest,
 * so replays and reordering never make it older. Trashed items stay as documents with status "trashed"
 * (searches filter on status), which keeps a restore a plain versioned write; purged items are deleted.
 */
export function createOpenSearchIndex(options: OpenSearchIndexOptions): OpenSearchIndex {
  const client = connect(options.url, options.region);
  const { alias } = options;
  let ready: Promise<void> | undefined;

  async function createIfMissing() {
    if ((await client.indices.existsAlias({ name: alias })).body) return;
    try {
      await client.indices.create({ index: `${alias}-v1`, body: { ...INDEX_DEFINITION, aliases: { [alias]: {} } } });
    } catch (err) {
      // Another process created it first.
      if (!isResponse(err, "resource_already_exists_exception")) throw err;
    }
  }

  /** Creates the first index and its alias on first use; a failure is retried on the next call. */
  const ensure = () =>
    (ready ??= createIfMissing().catch((err) => {
      ready = undefined;
      throw err;
    }));

  async function bulk(docs: SearchDocument[], versionType: VersionType, index = alias) {
    for (let i = 0; i < docs.length; i += BULK_DOCS) {
      const chunk = docs.slice(i, i + BULK_DOCS);
      const body = chunk.flatMap((d): API.Bulk_RequestBody => {
        const meta = { _index: index, _id: String(d.id), routing: String(d.userId), version: d.version, version_type: versionType };
        return d.status === "purged" ? [{ delete: meta }] : [{ index: meta }, source(d)];
      });
      const { body: result } = await client.bulk({ body });
      if (!result.errors) continue;
      const refused = result.items.flatMap((item) => {
        const [op, outcome] = Object.entries(item)[0] as [string, { status: number; error?: { type?: string; reason?: string } }];
        // 409: the index already holds this version or a newer one; 404: deleting what is not there.
        if (outcome.status < 300 || outcome.status === 409 || (op === "delete" && outcome.status === 404)) return [];
        return [`${outcome.status} ${outcome.error?.type ?? ""}: ${outcome.error?.reason ?? ""}`];
      });
      if (refused.length) throw new Error(`OpenSearch refused ${refused.length} of ${chunk.length} documents, first: ${refused[0]}`);
    }
  }

  const targets = async () => {
    try {
      return Object.keys((await client.indices.getAlias({ name: alias })).body);
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return [];
      throw err;
    }
  };

  const write: SearchIndex["write"] = async (docs) => {
    await ensure();
    await bulk(docs, "external");
  };

  return {
    client,
    name: alias,
    ensure,
    write,

    /** Fills a fresh index from the batches, then points the alias at it and drops the old index. */
    async rebuild(batches: AsyncIterable<SearchDocument[]>) {
      const previous = await targets();
      const version = Math.max(0, ...previous.map((name) => Number(/-v(\d+)$/.exec(name)?.[1] ?? 0))) + 1;
      const index = `${alias}-v${version}`;
      await client.indices.create({ index, body: INDEX_DEFINITION });
      let count = 0;
      for await (const docs of batches) {
        await bulk(docs, "external", index);
        count += docs.length;
      }
      await client.indices.refresh({ index });
      await client.indices.updateAliases({
        body: { actions: [...previous.map((old) => ({ remove: { index: old, alias } })), { add: { index, alias } }] },
      });
      for (const old of previous) await client.indices.delete({ index: old });
      ready = Promise.resolve();
      return { index, count };
    },

    /** Rewrites documents in place: the same version overwrites, so a damaged document is repaired. */
    async repair(docs: SearchDocument[]) {
      await ensure();
      await bulk(docs, "external_gte");
    },

    /** Removes documents whatever their version: for ids the database does not know at all. */
    async remove(userId: number, ids: number[]) {
      if (ids.length === 0) return;
      await client.bulk({ body: ids.map((id) => ({ delete: { _index: alias, _id: String(id), routing: String(userId) } })) });
    },

    /** Ids of every document of the user in the index (active, trashed, or stale). */
    async documentIds(userId: number) {
      await ensure();
      const ids: number[] = [];
      let after: unknown[] | undefined;
      for (;;) {
        const { body } = await client.search({
          index: alias,
          routing: String(userId),
          body: {
            size: 5000,
            _source: false,
            query: { term: { userId } },
            sort: [{ id: "asc" as const }],
            ...(after ? { search_after: after as API.Search_RequestBody["search_after"] } : {}),
          },
        });
        const hits = body.hits.hits;
        if (hits.length === 0) return ids;
        ids.push(...hits.map((hit) => Number(hit._id)));
        after = hits[hits.length - 1].sort as unknown[];
      }
    },

    /** Makes everything written so far searchable (tests and benchmarks; the index refreshes every second by itself). */
    refresh: async () => {
      await client.indices.refresh({ index: alias });
    },
    close: () => client.close(),
  };
}
