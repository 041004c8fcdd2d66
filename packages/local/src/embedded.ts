import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createDeps, loadConfig, setDeps, writeRequestLine, type AppDeps } from "@polaris/runtime";
import { createBackground } from "./background";
import { importPgliteData } from "./database/import-pglite";
import { startLocalPostgres, type LocalPostgres } from "./database/local-postgres";
import { LOCAL_SERVER_DEFAULTS, serveGateway, type Fallback } from "./gateway";
import { importS3rverData } from "./object-store/import-s3rver";
import { corsRules, createObjectStore } from "./object-store/server";
import { localStoreCredentials } from "./object-store/credentials";

/** The background work of a running app (queues and delayed jobs), in either profile. */
export interface Background {
  /** Runs the delayed jobs that are due now. */
  runDueJobs(): Promise<unknown>;
  /** Resolves when no queued or in-flight background work remains. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningApp {
  url: string;
  deps: AppDeps;
  /** The object store's endpoint (the embedded store under `/s3` unless one was configured). */
  s3Endpoint?: string;
  background: Background;
  close(): Promise<void>;
}

/** Runs one step of a start and tells a person about it (`npm start` prints each with its time). */
export type StartStep = <T>(label: string, run: () => Promise<T>) => Promise<T>;
const quietly: StartStep = (_label, run) => run();

/** The path the embedded object store is served under, on the API's own port. */
export const OBJECT_STORE_PREFIX = "/s3";

/** A server bound to every address is reached by this process on loopback. */
const loopback = (url: string) => url.replace(/^http:\/\/(0\.0\.0\.0|\[::\]|::)(?=:)/, "http://127.0.0.1");

/**
 * Starts the embedded profile in this process: dependencies from `env` (the drive's own PostgreSQL
 * server unless DATABASE_URL or PGLITE_DIR is set), the object store on the same port under `/s3`
 * unless S3_ENDPOINT is set, in-process queues and jobs, and the local gateway on `host:port`
 * (port 0 picks a free one).
 */
export async function startEmbedded(
  env: Record<string, string | undefined>,
  port = 0,
  host = "127.0.0.1",
  fallback?: Fallback,
  step: StartStep = quietly,
): Promise<RunningApp> {
  const config = loadConfig(env);
  const home = resolve(config.POLARIS_HOME);
  // The drive's files, database and keys live below: only their owner may enter.
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  let background: ReturnType<typeof createBackground> | undefined;
  const effectiveEnv: Record<string, string | undefined> = { ...LOCAL_SERVER_DEFAULTS, ...env };
  const embeddedStore = !config.S3_ENDPOINT && !config.AWS_ENDPOINT_URL;
  const credentials = embeddedStore ? localStoreCredentials(home) : undefined;
  const store = credentials
    ? await step("object store", () =>
        createObjectStore({
          directory: join(home, "objects"),
          bucket: config.S3_BUCKET,
          credentials,
          region: config.AWS_REGION,
          pathPrefix: OBJECT_STORE_PREFIX,
          cors: corsRules(config.CORS_ORIGINS),
          // The stacks' bucket notifications: the background filters by the consumer table's prefixes.
          onEvent: (body, key) => background?.objectCreated(key, body),
        }).then(async (created) => {
          await importS3rverData(join(home, "s3"), created.disk);
          return created;
        }),
      )
    : undefined;
  const database =
    !config.DATABASE_URL && config.PGLITE_DIR === undefined
      ? await step(
          existsSync(join(home, "postgres")) || existsSync(join(home, "postgres.location"))
            ? "database server"
            : "database server (first start: creating the cluster)",
          () => openLocalDatabase(home, config.DATABASE_POOL_SIZE),
        )
      : undefined;
  // Its idle backends are this machine's memory (~12–30 MB each): let them go a second after a burst,
  // and look for due jobs every half minute, not every second, which kept one backend from ever
  // idling that long. The jobs are expiries and prunes; on AWS the Scheduler runs them within a minute.
  if (database)
    Object.assign(effectiveEnv, {
      DATABASE_URL: database.url,
      DATABASE_IDLE_MS: env.DATABASE_IDLE_MS ?? "1000",
      JOB_POLL_MS: env.JOB_POLL_MS ?? "30000",
    });
  let ready!: () => void;
  const started = new Promise<void>((done) => (ready = done));
  const withStore: Fallback = (req, res, url) =>
    store && (url.pathname === OBJECT_STORE_PREFIX || url.pathname.startsWith(`${OBJECT_STORE_PREFIX}/`))
      ? store.handle(req, res).then(() => true)
      : (fallback?.(req, res, url) ?? false);
  // A person at the terminal sees every request, the console's files and the store's too (JSON logs: the routes' lines only, as on AWS).
  const effective = loadConfig(effectiveEnv);
  const requestLog =
    effective.LOG_FORMAT === "human" && (effective.LOG_LEVEL === "INFO" || effective.LOG_LEVEL === "DEBUG") ? writeRequestLine : undefined;
  const gateway = await serveGateway(port, host, withStore, { ready: started, requestLog }).catch(async (error) => {
    await database?.close(); // a port in use must not leave the drive's database server running
    throw error;
  });
  const url = loopback(gateway.url);
  if (store) {
    Object.assign(effectiveEnv, {
      S3_ENDPOINT: `${url}${OBJECT_STORE_PREFIX}`,
      S3_PUBLIC_ENDPOINT: config.S3_PUBLIC_ENDPOINT ?? `${env.PUBLIC_URL ? config.PUBLIC_URL : url}${OBJECT_STORE_PREFIX}`,
      S3_FORCE_PATH_STYLE: "true",
      S3_TRUST_CHECKSUMS: "true",
      AWS_ACCESS_KEY_ID: credentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials!.secretAccessKey,
      // The store's keys are long-term: a session token from the shell would belong to other keys.
      AWS_SESSION_TOKEN: undefined,
    });
  }
  // Share links follow the port actually bound unless PUBLIC_URL says otherwise.
  effectiveEnv.PUBLIC_URL = env.PUBLIC_URL || url;
  let deps: AppDeps;
  try {
    deps = await step(config.MIGRATE_ON_START ? "database schema (migrations)" : "connections", () => createDeps(effectiveEnv));
  } catch (error) {
    await gateway.close();
    await database?.close();
    throw error;
  }
  setDeps(deps);
  background = createBackground(deps);
  ready();
  return {
    url,
    deps,
    s3Endpoint: store ? `${url}${OBJECT_STORE_PREFIX}` : config.S3_ENDPOINT,
    background,
    async close() {
      await gateway.close();
      await background?.close();
      await deps.close();
      await database?.close();
    },
  };
}

/** The drive's PostgreSQL server, with an earlier version's PGlite data imported; PGlite itself where npm installed no server for this platform. */
async function openLocalDatabase(home: string, poolSize: number): Promise<LocalPostgres | undefined> {
  // The pool, the background jobs' connections and a psql of the owner's.
  const server = await startLocalPostgres(home, { maxConnections: poolSize + 10 });
  if (!server) {
    console.warn(
      `no PostgreSQL binaries for ${process.platform}-${process.arch}: the embedded profile uses PGlite (slower, single connection)`,
    );
    return undefined;
  }
  try {
    const rows = await importPgliteData(home, server.url);
    if (rows !== undefined)
      console.log(`imported the earlier PGlite database (${rows} rows); it is kept as ${join(home, "pglite.imported")}`);
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
