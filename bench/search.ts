import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { openDatabase } from "@polaris/adapters";
import type { OpenSearchIndex } from "@polaris/adapters/opensearch-index";
import type { ApiResponse } from "@opensearch-project/opensearch";
import { searchQuery } from "@polaris/contract";
import { Search, type Db } from "@polaris/core";
import { createDeps, type AppDeps } from "@polaris/runtime";
import { freshDatabaseEnv } from "@polaris/api-tests/support/database";
import { startLocalPostgres } from "@polaris/local/database/local-postgres";
import { up } from "@polaris/infra-local/services";
import { floorRatios } from "./goals";
import { startServer } from "./http";
import {
  api,
  attempt,
  failureNotes,
  load,
  machineNotes,
  medians,
  postmasterOf,
  progress,
  type Figures,
  type LoadOptions,
  type LoadTarget,
} from "./lib";

const USERS = 10;
const FOLDERS_PER_USER = 100;
const FILES_PER_FOLDER = 1000;
/** Bulk indexing stops after this long; the figures say how many documents it reached. */
const INDEX_BUDGET_MS = 180_000;
/** Indexer invocations at once, as Lambda consumers of the index queue would run (this box has two cores). */
const INDEXER_CONCURRENCY = 2;
const LAG_SAMPLES = 40;
/** A write not searchable after this long fails the lag measurement (the rest of the section still runs). */
const LAG_DEADLINE_MS = 30_000;
/** Paired rounds of the stack's search and the bare node's (issue 15: p99 and throughput beside that floor). */
const FLOOR_ROUNDS = 3;

const WORDS = ["report", "invoice", "photo", "年度报告", "季度总结", "合同", "summary", "budget", "draft", "meeting", "holiday", "design"];
const EXTS = ["pdf", "docx", "jpg", "png", "txt", "xlsx", "mp4", "zip"];

/**
 * Fills a user's drive with generated items in set-based SQL: `folders` folders at the root, each with
 * `perFolder` files named from a small vocabulary (Chinese included) with a number and an extension.
 */
async function fillDrive(db: Db, userId: number, folders: number, perFolder: number) {
  const folderIds = (
    await sql<{ id: number }>`
    insert into files (identity, user_id, parent_id, name, ext, is_dir)
    select gen_random_uuid(), ${userId}, 0, 'folder-' || g, '', true from generate_series(1, ${folders}) g
    returning id`.execute(db)
  ).rows.map((r) => Number(r.id));
  await sql`
    insert into files (identity, user_id, parent_id, name, ext, is_dir, size, mime_type)
    select gen_random_uuid(), ${userId}, (${folderIds}::bigint[])[1 + g % ${folders}],
           (${WORDS}::text[])[1 + g % ${WORDS.length}] || '-' || g || '.' || (${EXTS}::text[])[1 + (g / 7) % ${EXTS.length}],
           (${EXTS}::text[])[1 + (g / 7) % ${EXTS.length}], false, (g * 7919) % 50000000, 'application/octet-stream'
    from generate_series(1, ${folders * perFolder}) g`.execute(db);
  return folderIds;
}

/** A user without a password (volume in the index, never logged in as). */
async function volumeUser(db: Db, mobile: string) {
  const { id } = await db
    .insertInto("users")
    .values({ mobile, name: "bench", password_hash: "-", quota_total: 1e15 })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { userId: id, folderIds: await fillDrive(db, id, FOLDERS_PER_USER, FILES_PER_FOLDER) };
}

const uniqueMobile = () => `1${String(randomBytes(5).readUIntBE(0, 5)).padStart(10, "0").slice(-10)}`;

/** Registers a user through the API (a real password, so the bench can log in) and returns its id. */
async function register(base: string, db: Db, mobile: string) {
  await api(base, "POST", "/usercenter/v1/user/register", { mobile, password: "bench-password" });
  return (await db.selectFrom("users").select("id").where("mobile", "=", mobile).executeTakeFirstOrThrow()).id;
}

const login = async (base: string, mobile: string) =>
  (await api(base, "POST", "/usercenter/v1/user/login", { mobile, password: "bench-password" })).accessToken as string;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** The searches measured: a word, a Chinese infix (two characters), and filters sorted by size. */
const QUERIES: [string, Record<string, string>][] = [
  ["word", { keyword: "invoice", pageSize: "20" }],
  ["cjk", { keyword: "报告", pageSize: "20" }],
  ["filtered", { keyword: "sum", ext: "pdf,docx", minSize: "1000", sortBy: "size", sortDesc: "true", pageSize: "20" }],
];

const searchTarget = (base: string, token: string, query: Record<string, string>): LoadTarget => ({
  url: `${base}/search/v1/search/files?${new URLSearchParams(query)}`,
  headers: { authorization: `Bearer ${token}` },
});

/**
 * Clients (50 unless said) running each of QUERIES; a query whose load fails (time-outs) is noted and
 * the others still measure.
 */
async function searchLoad(
  label: string,
  base: string,
  token: string,
  connections = 50,
  options: Omit<LoadOptions, "connections" | "seconds"> = {},
): Promise<Figures> {
  const figures: Figures = {};
  for (const [name, query] of QUERIES) {
    progress(`${label}: ${name} at ${connections} connections`);
    Object.assign(
      figures,
      await attempt(`${label}_${name}`, () =>
        load(`${label}_${name}`, searchTarget(base, token, query), { connections, seconds: connections === 50 ? 5 : 10, ...options }),
      ),
    );
  }
  return figures;
}

/**
 * The floor of each query: the very HTTP request the product's OpenSearch engine sends for it (method,
 * path, routing, body), taken from its client's request events while core's search runs the query
 * once, to be sent straight to the node. Each is checked to answer what the engine got.
 */
async function floorTargets(deps: AppDeps, userId: number, url: string): Promise<Record<string, LoadTarget>> {
  const { client } = deps.searchIndex as OpenSearchIndex;
  const sent: { method: string; path: string; querystring?: unknown; body?: unknown }[] = [];
  const listener = (_: unknown, event: ApiResponse) => sent.push(event.meta.request.params);
  client.on("request", listener);
  const targets: Record<string, LoadTarget> = {};
  try {
    for (const [name, query] of QUERIES) {
      sent.length = 0;
      const answer = await Search.searchFiles(deps, userId, searchQuery.parse(query));
      const searches = sent.filter((r) => r.path.endsWith("/_search"));
      if (searches.length !== 1) throw new Error(`${name}: the engine sent ${searches.length} searches, not one`);
      const { method, path, querystring } = searches[0];
      const body = typeof searches[0].body === "string" ? searches[0].body : JSON.stringify(searches[0].body);
      const target: LoadTarget = {
        url: `${url}${path}${querystring ? `?${String(querystring)}` : ""}`,
        method: method as "GET" | "POST",
        body,
      };
      const floor = (await (await fetch(target.url, { method, headers: { "content-type": "application/json" }, body })).json()) as {
        hits: { total: { value: number }; hits: unknown[] };
      };
      if (floor.hits.total.value !== answer.total || floor.hits.hits.length !== answer.list.length || !answer.total) {
        throw new Error(
          `${name}: the bare request found ${floor.hits.total.value} (${floor.hits.hits.length} on the page), the engine ${answer.total} (${answer.list.length})`,
        );
      }
      targets[name] = target;
    }
  } finally {
    client.off("request", listener);
  }
  return targets;
}

/** The pid of the OpenSearch node's JVM (its CPU is the measurement's, not a busy machine). */
async function nodePid(url: string): Promise<number> {
  const info = (await (await fetch(`${url}/_nodes/_local/process`)).json()) as { nodes: Record<string, { process: { id: number } }> };
  return Object.values(info.nodes)[0].process.id;
}

/**
 * Search through the stack beside the bare node, per query: FLOOR_ROUNDS paired rounds at 50
 * clients, the stack's search (`opensearch_search_<query>_…`) then the same request straight to the
 * node (`floor_search_<query>_…`); the rounds' medians, and the median of the rounds' ratios with the
 * worst round beside it (`opensearch_search_<query>_p99_vs_floor`, `…_rps_vs_floor`). Beside them,
 * CPU per request of the server, PostgreSQL and the node for the stack, and of the node for the floor
 * (`…_opensearch_cpu_ms_per_req`): where the stack's extra cost goes. A query whose measurement
 * fails is noted and the others still run.
 */
async function searchBesideFloor(
  base: string,
  token: string,
  pid: number,
  floors: Record<string, LoadTarget>,
  jvm: number,
  postmaster: number,
): Promise<Figures> {
  const figures: Figures = {};
  for (const [name, query] of QUERIES) {
    Object.assign(
      figures,
      await attempt(`opensearch_search_${name} beside the bare node`, async () => {
        const rounds: Figures[] = [];
        for (let round = 1; round <= FLOOR_ROUNDS; round++) {
          progress(
            `opensearch_search: ${name} at 50 connections, then the same request straight to the node (round ${round} of ${FLOOR_ROUNDS})`,
          );
          rounds.push({
            ...(await load(`opensearch_search_${name}`, searchTarget(base, token, query), {
              pid,
              postmaster,
              measured: { opensearch: jvm },
            })),
            ...(await load(`floor_search_${name}`, floors[name], { measured: { opensearch: jvm } })),
          });
        }
        return { ...medians(rounds), ...floorRatios("opensearch", `search_${name}`, rounds, ["p99_ms", "rps"]) };
      }),
    );
  }
  return figures;
}

/**
 * Filename search figures. OpenSearch (PostgreSQL the system of record): indexer throughput through
 * the indexer's own code path (re-read from PostgreSQL, bulk with versions), bounded in time;
 * write-to-searchable lag (a folder created by a request, until search finds it); search at 50
 * clients beside the same requests sent straight to the node, and at one client. For comparison, SQL
 * search over a drive of the same shape on PostgreSQL; then the embedded profile's SQL search beside
 * its goal. Each measurement that fails is noted and the others still print, the embedded ones too
 * when the services could not be set up.
 */
export async function benchSearch(): Promise<Figures> {
  return { ...(await attempt("search on the services", benchOnServices)), ...(await benchEmbeddedSearch()) };
}

/** OpenSearch and SQL search on the shared PostgreSQL and OpenSearch services. */
async function benchOnServices(): Promise<Figures> {
  const figures: Figures = {};
  const endpoints = await up(["postgres", "opensearch"]);
  const database = await freshDatabaseEnv(endpoints.postgres!.url);
  const alias = `polaris-files-bench-${randomBytes(4).toString("hex")}`;
  const env = {
    ...database.env,
    OPENSEARCH_URL: endpoints.opensearch!.url,
    OPENSEARCH_INDEX: alias,
    POLARIS_HOME: mkdtempSync(join(tmpdir(), "polaris-bench-")),
    LOG_LEVEL: "ERROR",
  };
  const deps = await createDeps(env);
  const mobile = uniqueMobile();
  try {
    const server = await startServer(env);
    try {
      progress(`generating ${USERS} drives of ${FOLDERS_PER_USER} folders × ${FILES_PER_FOLDER} files in PostgreSQL`);
      const started = Date.now();
      // The user the searches run as first, then the rest of the index's volume.
      const searcherId = await register(server.url, deps.db, mobile);
      const drives = [{ userId: searcherId, folderIds: await fillDrive(deps.db, searcherId, FOLDERS_PER_USER, FILES_PER_FOLDER) }];
      for (let u = 1; u < USERS; u++) drives.push(await volumeUser(deps.db, uniqueMobile()));
      figures.generated_rows_per_s = Math.round((USERS * FOLDERS_PER_USER * (FILES_PER_FOLDER + 1)) / ((Date.now() - started) / 1000));

      // One file.created event per folder subtree: what a big copy or a batch of uploads asks of the indexer.
      Object.assign(
        figures,
        await attempt("indexer", async () => {
          progress(`indexing into OpenSearch for at most ${INDEX_BUDGET_MS / 1000} s, ${INDEXER_CONCURRENCY} indexers at once`);
          const work = drives.flatMap((d) => d.folderIds.map((folderId) => ({ userId: d.userId, folderId })));
          const indexStart = Date.now();
          let indexed = 0;
          let next = 0;
          await Promise.all(
            Array.from({ length: INDEXER_CONCURRENCY }, async () => {
              while (next < work.length && Date.now() - indexStart < INDEX_BUDGET_MS) {
                const { userId, folderId } = work[next++];
                const result = await Search.indexChange(deps, "file.created", { userId, fileIds: [folderId], subtree: true });
                indexed += result.indexed;
              }
            }),
          );
          const seconds = (Date.now() - indexStart) / 1000;
          progress(`indexed ${indexed} documents (${Math.min(next, work.length)} of ${work.length} folders) in ${seconds.toFixed(1)} s`);
          return { indexer_docs: indexed, indexer_docs_per_s: Math.round(indexed / seconds) };
        }),
      );
      await deps.searchIndex!.refresh();

      const token = await login(server.url, mobile);
      Object.assign(
        figures,
        await attempt("lag", async () => {
          progress(`write-to-searchable lag, ${LAG_SAMPLES} samples`);
          const lags: number[] = [];
          for (let i = 0; i < LAG_SAMPLES; i++) {
            const name = `lag-probe-${randomBytes(6).toString("hex")}`;
            const t0 = Date.now();
            await api(server.url, "POST", "/file/v1/folder/create", { name }, token);
            while ((await api(server.url, "GET", `/search/v1/search/files?keyword=${name}`, undefined, token)).total === 0) {
              if (Date.now() - t0 > LAG_DEADLINE_MS)
                throw new Error(`a folder was not searchable ${LAG_DEADLINE_MS / 1000} s after its creation`);
              await new Promise((r) => setTimeout(r, 20));
            }
            lags.push(Date.now() - t0);
          }
          return { lag_p50_ms: percentile(lags, 50), lag_p99_ms: percentile(lags, 99) };
        }),
      );
      Object.assign(
        figures,
        await attempt("opensearch_search", async () => {
          const jvm = await nodePid(endpoints.opensearch!.url);
          const postmaster = await postmasterOf(database.env.DATABASE_URL);
          const floors = await floorTargets(deps, searcherId, endpoints.opensearch!.url);
          return {
            ...(await searchBesideFloor(server.url, token, server.pid, floors, jvm, postmaster)),
            // One client: what a search costs without waiting behind 49 others on this machine's cores.
            ...(await searchLoad("opensearch_single_client", server.url, token, 1, { pid: server.pid, measured: { opensearch: jvm } })),
          };
        }),
      );
    } finally {
      await server.stop();
    }
    // The same drive searched by SQL on PostgreSQL.
    Object.assign(
      figures,
      await attempt("sql_pg search", async () => {
        const sqlServer = await startServer({ ...env, OPENSEARCH_URL: "" });
        try {
          const postmaster = await postmasterOf(database.env.DATABASE_URL);
          return await searchLoad("sql_pg", sqlServer.url, await login(sqlServer.url, mobile), 50, { pid: sqlServer.pid, postmaster });
        } finally {
          await sqlServer.stop();
        }
      }),
    );
  } finally {
    await (deps.searchIndex as OpenSearchIndex).client.indices.delete({ index: `${alias}-v*` }).catch(() => undefined);
    await deps.close();
    await database.drop();
    rmSync(env.POLARIS_HOME, { recursive: true, force: true });
  }
  return figures;
}

/** The embedded profile's SQL search on its own PostgreSQL server, then on PGlite; each fails on its own. */
export async function benchEmbeddedSearch(): Promise<Figures> {
  return {
    ...(await attempt("sql_embedded search", () => benchEmbeddedSql("postgres"))),
    ...(await attempt("sql_pglite search", () => benchEmbeddedSql("pglite"))),
  };
}

/**
 * SQL search on the embedded profile at 5 clients over a drive of 100,000 files (issue 15's goal: p99
 * < 100 ms): on the drive's own PostgreSQL server, what `npm start` runs (`sql_embedded_c5_…`), and
 * on PGlite, where npm installed no server binaries (`sql_pglite_c5_…`). A drive's database is opened
 * by one process at a time, so the server runs once to register the user, the bench fills the drive,
 * and the server runs again.
 */
async function benchEmbeddedSql(engine: "postgres" | "pglite"): Promise<Figures> {
  const home = mkdtempSync(join(tmpdir(), `polaris-bench-${engine}-`));
  const env = { POLARIS_HOME: home, LOG_LEVEL: "ERROR", ...(engine === "pglite" ? { PGLITE_DIR: join(home, "pglite") } : {}) };
  const mobile = uniqueMobile();
  try {
    let server = await startServer(env);
    await api(server.url, "POST", "/usercenter/v1/user/register", { mobile, password: "bench-password" });
    await server.stop();
    progress(
      `generating one drive of ${FOLDERS_PER_USER} folders × ${FILES_PER_FOLDER} files in ${engine === "pglite" ? "PGlite" : "the embedded PostgreSQL"}`,
    );
    const local = engine === "postgres" ? await startLocalPostgres(home, { maxConnections: 5 }) : undefined;
    if (engine === "postgres" && !local)
      throw new Error(`no PostgreSQL binaries for ${process.platform}-${process.arch}: the embedded profile runs on PGlite`);
    const db = await openDatabase(local ? { kind: "postgres", url: local.url, poolSize: 2 } : { kind: "pglite", dataDir: env.PGLITE_DIR! });
    try {
      const { id } = await db.selectFrom("users").select("id").where("mobile", "=", mobile).executeTakeFirstOrThrow();
      await fillDrive(db, id, FOLDERS_PER_USER, FILES_PER_FOLDER);
      // The statistics a drive grown over time has (autovacuum's, or the PGlite adapter's re-analysis).
      await sql`analyze files`.execute(db);
    } finally {
      await db.destroy();
      await local?.close();
    }
    server = await startServer(env);
    try {
      // PGlite answers one query at a time: 50 clients would only measure the queue, so 5 do.
      return await searchLoad(`sql_${engine === "pglite" ? "pglite" : "embedded"}_c5`, server.url, await login(server.url, mobile), 5, {
        pid: server.pid,
      });
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// `npx tsx bench/search.ts [embedded]`: this bench alone, or only its embedded SQL search (no OpenSearch).
if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(process.argv[2] === "embedded" ? await benchEmbeddedSearch() : await benchSearch());
  for (const line of [...failureNotes, ...machineNotes]) console.log(line);
}
