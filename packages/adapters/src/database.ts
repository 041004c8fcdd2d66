import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { PGlite as PGliteClient, PGliteOptions } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "@polaris/core";

const INT8_OID = 20;
const NUMERIC_OID = 1700;
// Sizes, counts and ids are int8; every value the product stores fits in 2^53.
const toNumber = (value: string) => Number(value);

export type DatabaseTarget = { kind: "postgres"; url: string; poolSize: number; idleMs?: number } | { kind: "pglite"; dataDir?: string };

/** The pg pool the app runs on (also the benchmark floor's, so both pay the same driver costs). */
export function createPgPool(url: string, poolSize: number, idleMs = 10_000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: idleMs,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? toNumber
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // A connection the server dropped (a restart, a failover) is reported as an 'error' event: by the
  // pool for an idle one (already discarded), by the client for one checked out between queries
  // (e.g. a transaction waiting on the event bus; its next query fails and the pool discards it).
  // Unheard, either event would end the process.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

/** Opens the system of record: a PostgreSQL server through pg, or PGlite (on disk, or in memory without dataDir). */
export async function openDatabase(target: DatabaseTarget): Promise<Kysely<Database>> {
  if (target.kind === "postgres") {
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(target.url, target.poolSize, target.idleMs) }) });
  }
  // Loaded only for this profile: Lambda bundles never evaluate PGlite.
  const [{ PGlite }, { PGliteDialect }] = await Promise.all([import("@electric-sql/pglite"), import("kysely-pglite-dialect")]);
  const location = target.dataDir ? `file://${target.dataDir}` : undefined;
  // Small buffers suit a one-person server; PGlite's WebAssembly memory only grows, so keep it lean.
  const options = { postgresqlconf: "shared_buffers=16MB", parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber } };
  if (target.dataDir && !existsSync(join(target.dataDir, "PG_VERSION"))) {
    // initdb inflates a PGlite instance's memory for good (~500 MB here): create the cluster in a
    // short-lived child process, so this one stays lean.
    // Resolved by require: import.meta.resolve is missing under some loaders (vitest's transform).
    const pglite = pathToFileURL(createRequire(import.meta.url).resolve("@electric-sql/pglite")).href;
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { PGlite } = await import(${JSON.stringify(pglite)}); await (await PGlite.create(${JSON.stringify(location)}, { postgresqlconf: "shared_buffers=16MB" })).close();`,
      ],
      { stdio: "inherit" },
    );
  }
  // One options object: PGlite 0.4 ignores the options given beside an undefined (in-memory) data dir.
  const client = location ? await PGlite.create({ dataDir: location, ...options }) : await createInMemory(PGlite, options);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  keepStatisticsFresh(db, client);
  return db;
}

/** This process's first in-memory cluster right after its initdb, as `dumpDataDir` wrote it (~40 MB). */
let pristineCluster: Promise<Blob> | undefined;

/**
 * An in-memory cluster: the first one in a process runs initdb (~1.3 s), later ones start from a copy
 * of that fresh cluster (~0.3 s). The API tests open one per test file, forty and more a run.
 */
async function createInMemory(PGlite: typeof PGliteClient, options: PGliteOptions) {
  const pristine = await pristineCluster?.catch(() => undefined);
  if (pristine) return PGlite.create({ ...options, loadDataDir: pristine });
  const client = await PGlite.create(options);
  pristineCluster = client.dumpDataDir("none");
  await pristineCluster;
  return client;
}

/** Tables whose heap grew by a fifth (and 8 pages) since their last ANALYZE, or were never analysed and hold 8 pages. */
const staleTables = `select quote_ident(c.relname) as name from pg_class c
  where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace
    and pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * 1.2 + 8`;

/**
 * PGlite has no autovacuum, so without this the planner keeps the statistics of the day the tables
 * were empty: a folder grown to 10,000 entries through the API was then listed by reading and sorting
 * all its rows through files_children (~40-100 ms a page on PGlite) instead of a range of
 * files_list_name (~2 ms), and sibling-name lookups scanned the folder. Like autovacuum's analyze
 * threshold, this re-analyses the tables that grew, checked 2 s after opening and then every half minute
 * (one catalog query; ANALYZE samples at most 30,000 rows, ~0.5 s here, so it runs only on growth).
 */
function keepStatisticsFresh(db: Kysely<Database>, client: { closed: boolean }, everyMs = 30_000) {
  let busy = false;
  const check = async () => {
    if (client.closed) return clearInterval(timer);
    if (busy) return;
    busy = true;
    try {
      // Through kysely, which queues it behind the single connection's open transaction (if any).
      const { rows } = await sql.raw<{ name: string }>(staleTables).execute(db);
      if (rows.length && !client.closed) await sql.raw(`analyze ${rows.map((r) => r.name).join(", ")}`).execute(db);
    } catch {
      // Closed meanwhile, or a migration holds the table: the next check tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  setTimeout(() => void check(), 2_000).unref();
}
