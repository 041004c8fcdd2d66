import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { openDatabase } from "@polaris/adapters";
import type { OpenSearchIndex } from "@polaris/adapters/opensearch-index";
import { Search, type Db } from "@polaris/core";
import { createDeps } from "@polaris/runtime";
import { freshDatabaseEnv } from "../packages/api-tests/src/support/database";
import { up } from "../infra-local/services/index";
import { startServer } from "./http";
import { api, attempt, load, progress, type Figures } from "./lib";

const USERS = 10;
const FOLDERS_PER_USER = 100;
const FILES_PER_FOLDER = 1000;
/** Bulk indexing stops after this long; the figures say how many documents it reached. */
const INDEX_BUDGET_MS = 180_000;
/** Indexer invocations at once, as Lambda consumers of the index queue would run (this box has two cores). */
const INDEXER_CONCURRENCY = 2;
const LAG_SAMPLES = 40;

const WORDS = ["report", "invoice", "photo", "年度报告", "季度总结", "合同", "summary", "budget", "draft", "meeting", "holiday", "design"];
const EXTS = ["pdf", "docx", "jpg", "png", "txt", "xlsx", "mp4", "zip"];

/**
 * Fills a user's drive with generated items in set-based SQL: `folders` folders at the root, each with
 * `perFolder` files named from a small vocabulary (Chinese included) with a number and an extension.
 */
async function fillDrive(db: Db, userId: number, folders: number, perFolder: number) {
  const folderIds = (await sql<{ id: number }>`
    insert into files (identity, user_id, parent_id, name, ext, is_dir)
    select gen_random_uuid(), ${userId}, 0, 'folder-' || g, '', true from generate_series(1, ${folders}) g
    returning id`.execute(db)).rows.map((r) => Number(r.id));
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
  const { id } = await db.insertInto("users")
    .values({ mobile, name: "bench", password_hash: "-", quota_total: 1e15 }).returning("id").executeTakeFirstOrThrow();
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

/**
 * Clients (50 unless said) searching one user's drive: a word, a Chinese infix, and filters sorted by
 * size. A query whose load fails (time-outs) is noted and the others still measure.
 */
async function searchLoad(label: string, base: string, token: string, connections = 50, pid?: number): Promise<Figures> {
  const headers = { authorization: `Bearer ${token}` };
  const figures: Figures = {};
  const queries: [string, Record<string, string>][] = [
    ["word", { keyword: "invoice", pageSize: "20" }],
    ["cjk", { keyword: "报告", pageSize: "20" }],
    ["filtered", { keyword: "sum", ext: "pdf,docx", minSize: "1000", sortBy: "size", sortDesc: "true", pageSize: "20" }],
  ];
  for (const [name, query] of queries) {
    progress(`${label}: ${name} at ${connections} connections`);
    const target = { url: `${base}/search/v1/search/files?${new URLSearchParams(query)}`, headers };
    Object.assign(figures, await attempt(`${label}_${name}`, () => load(`${label}_${name}`, target, { connections, seconds: connections === 50 ? 5 : 10, pid })));
  }
  return figures;
}

/**
 * Filename search figures. OpenSearch (PostgreSQL the system of record): indexer throughput through
 * the indexer's own code path (re-read from PostgreSQL, bulk with versions), bounded in time;
 * write-to-searchable lag (a folder created by a request, until search finds it); search latency at
 * 50 clients. For comparison, SQL search over a drive of the same shape on PostgreSQL and PGlite.
 */
export async function benchSearch(): Promise<Figures> {
  const figures: Figures = {};
  const endpoints = await up(["postgres", "opensearch"]);
  const database = await freshDatabaseEnv(endpoints.postgres!.url);
  const alias = `polaris-files-bench-${randomBytes(4).toString("hex")}`;
  const env = {
    ...database.env, OPENSEARCH_URL: endpoints.opensearch!.url, OPENSEARCH_INDEX: alias,
    POLARIS_HOME: mkdtempSync(join(tmpdir(), "polaris-bench-")), LOG_LEVEL: "ERROR",
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
      progress(`indexing into OpenSearch for at most ${INDEX_BUDGET_MS / 1000} s, ${INDEXER_CONCURRENCY} indexers at once`);
      const work = drives.flatMap((d) => d.folderIds.map((folderId) => ({ userId: d.userId, folderId })));
      const indexStart = Date.now();
      let indexed = 0;
      let next = 0;
      await Promise.all(Array.from({ length: INDEXER_CONCURRENCY }, async () => {
        while (next < work.length && Date.now() - indexStart < INDEX_BUDGET_MS) {
          const { userId, folderId } = work[next++];
          const result = await Search.indexChange(deps, "file.created", { userId, fileIds: [folderId], subtree: true });
          indexed += result.indexed;
        }
      }));
      const seconds = (Date.now() - indexStart) / 1000;
      progress(`indexed ${indexed} documents (${Math.min(next, work.length)} of ${work.length} folders) in ${seconds.toFixed(1)} s`);
      figures.indexer_docs = indexed;
      figures.indexer_docs_per_s = Math.round(indexed / seconds);
      await deps.searchIndex!.refresh();

      const token = await login(server.url, mobile);
      progress(`write-to-searchable lag, ${LAG_SAMPLES} samples`);
      const lags: number[] = [];
      for (let i = 0; i < LAG_SAMPLES; i++) {
        const name = `lag-probe-${randomBytes(6).toString("hex")}`;
        const t0 = Date.now();
        await api(server.url, "POST", "/file/v1/folder/create", { name }, token);
        while ((await api(server.url, "GET", `/search/v1/search/files?keyword=${name}`, undefined, token)).total === 0) {
          await new Promise((r) => setTimeout(r, 20));
        }
        lags.push(Date.now() - t0);
      }
      figures.lag_p50_ms = percentile(lags, 50);
      figures.lag_p99_ms = percentile(lags, 99);
      Object.assign(figures, await searchLoad("opensearch_search", server.url, token, 50, server.pid));
      // One client: what a search costs without waiting behind 49 others on this machine's cores.
      Object.assign(figures, await searchLoad("opensearch_single_client", server.url, token, 1, server.pid));
    } finally {
      await server.stop();
    }
    // The same drive searched by SQL on PostgreSQL.
    Object.assign(figures, await attempt("sql_pg search", async () => {
      const sqlServer = await startServer({ ...env, OPENSEARCH_URL: "" });
      try {
        return await searchLoad("sql_pg", sqlServer.url, await login(sqlServer.url, mobile), 50, sqlServer.pid);
      } finally {
        await sqlServer.stop();
      }
    }));
  } finally {
    await (deps.searchIndex as OpenSearchIndex).client.indices.delete({ index: `${alias}-v*` }).catch(() => undefined);
    await deps.close();
    await database.drop();
  }
  Object.assign(figures, await attempt("sql_embedded search", benchEmbeddedSql));
  return figures;
}

/**
 * SQL search on the embedded profile: PGlite is opened by one process at a time, so the server runs
 * once to register the user, the bench fills the drive in the data directory, and the server runs again.
 */
async function benchEmbeddedSql(): Promise<Figures> {
  const home = mkdtempSync(join(tmpdir(), "polaris-bench-pglite-"));
  const env = { POLARIS_HOME: home, PGLITE_DIR: join(home, "pglite"), LOG_LEVEL: "ERROR" };
  const mobile = uniqueMobile();
  try {
    let server = await startServer(env);
    await api(server.url, "POST", "/usercenter/v1/user/register", { mobile, password: "bench-password" });
    await server.stop();
    progress(`generating one drive of ${FOLDERS_PER_USER} folders × ${FILES_PER_FOLDER} files in PGlite`);
    const db = await openDatabase({ kind: "pglite", dataDir: env.PGLITE_DIR });
    const { id } = await db.selectFrom("users").select("id").where("mobile", "=", mobile).executeTakeFirstOrThrow();
    await fillDrive(db, id, FOLDERS_PER_USER, FILES_PER_FOLDER);
    await db.destroy();
    server = await startServer(env);
    try {
      // PGlite answers one query at a time: 50 clients would only measure the queue, so 5 do.
      return await searchLoad("sql_embedded_c5", server.url, await login(server.url, mobile), 5, server.pid);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchSearch());
