import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "@aws-lambda-powertools/logger";
import { createAccessTokens, createShareTokens } from "@polaris/adapters/access-tokens";
import { openDatabase } from "@polaris/adapters/database";
import { createInProcessBus } from "@polaris/adapters/in-process-bus";
import { createMemoryRateLimiter } from "@polaris/adapters/memory-rate-limiter";
import { createSqlIdempotencyStore } from "@polaris/adapters/sql-idempotency-store";
import { createSqlScheduler } from "@polaris/adapters/sql-scheduler";
import { createSqlSearch } from "@polaris/adapters/sql-search";
import { jobArnVariable, jobTable, type JobName } from "@polaris/contract";
import {
  Outbox,
  type CoreDeps,
  type CoreSettings,
  type Db,
  type IdempotencyStore,
  type ObjectStorage,
  type Scheduler,
} from "@polaris/core";
import { loadConfig, type Config } from "./config";
import { createLogger } from "./logging";
import { flushMetrics } from "./metrics";

export interface AppDeps extends CoreDeps {
  config: Config;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** The embedded profile's bus (no EVENT_BUS_NAME): the host connects the event consumers to it. */
  inProcessBus: ReturnType<typeof createInProcessBus> | null;
  /** Publishes the outbox after a change committed; failures are left to the sweeper. */
  publishEvents(): Promise<void>;
  close(): Promise<void>;
}

/** Outbox rows one kick publishes; a larger backlog is the sweeper's. */
const KICK_BATCH = 100;

/** A secret for local profiles, created once and kept with the local state; AWS passes JWT_SECRET. */
function localSecret(home: string): string {
  const file = join(home, "jwt-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(home, { recursive: true });
    const secret = randomBytes(48).toString("base64url");
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/**
 * What every AWS SDK client shares: the region, a local endpoint when one is set, credentials when
 * given. Temporary ones (Lambda's role) need their session token: a request signed without it is refused.
 */
export function awsClientConfig(config: Config, endpoint = config.AWS_ENDPOINT_URL) {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = config;
  return {
    region: config.AWS_REGION,
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  };
}

/**
 * A port whose adapter module loads on its first call (every port method is async), so handlers
 * that never touch it never load its SDK.
 */
function lazyPort<T extends object>(load: () => Promise<T>) {
  let pending: Promise<T> | undefined;
  let ready: T | undefined;
  const port = new Proxy({} as T, {
    // Not a thenable, and no symbol lookups: only method calls go through.
    get: (_, method) =>
      method === "then" || typeof method === "symbol"
        ? undefined
        : (...args: unknown[]) =>
            (pending ??= load().then((adapter) => (ready = adapter))).then((adapter) =>
              (adapter as Record<PropertyKey, (...a: unknown[]) => unknown>)[method](...args),
            ),
  });
  return { port, loaded: () => ready };
}

/** What a concern built: its ports, and how to release what they hold (clients, connections). */
interface Built<T> {
  deps: T;
  close(): unknown;
}

const nothingToClose = () => undefined;

/** PostgreSQL, or PGlite in a folder (or in memory) when no server is given. */
async function databaseDeps(config: Config, home: string) {
  const db = await openDatabase(
    config.DATABASE_URL
      ? { kind: "postgres", url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, idleMs: config.DATABASE_IDLE_MS }
      : { kind: "pglite", dataDir: config.PGLITE_DIR === "memory" ? undefined : resolve(config.PGLITE_DIR ?? join(home, "pglite")) },
  );
  // Deployed functions never migrate (the migrate job does), so the migrations stay out of their cold start.
  if (config.MIGRATE_ON_START) await (await import("@polaris/core/migrate")).migrateToLatest(db);
  return db;
}

function tokenDeps(config: Config, home: string, now: () => Date): Pick<CoreDeps, "tokens" | "shareTokens"> {
  const secret = config.JWT_SECRET ?? localSecret(home);
  return {
    tokens: createAccessTokens(secret, config.ACCESS_EXPIRE_SECONDS, now),
    shareTokens: createShareTokens(secret, config.SHARE_TOKEN_EXPIRE_SECONDS, now),
  };
}

// Adapters with heavy SDKs are imported only when configuration asks for them, so a Lambda
// function pays at cold start only for the clients it uses.

function storageDeps(config: Config): Built<{ storage: ObjectStorage }> {
  const s3 = lazyPort(async () =>
    (await import("@polaris/adapters/s3-storage")).createS3Storage({
      bucket: config.S3_BUCKET,
      client: { ...awsClientConfig(config, config.S3_ENDPOINT ?? config.AWS_ENDPOINT_URL), forcePathStyle: config.S3_FORCE_PATH_STYLE },
      publicEndpoint: config.S3_PUBLIC_ENDPOINT,
      trustChecksums: config.S3_TRUST_CHECKSUMS,
    }),
  );
  return { deps: { storage: s3.port }, close: () => s3.loaded()?.client.destroy() };
}

/** Rate limits and idempotency keys: a DynamoDB table (KV_TABLE), else memory and SQL. */
async function kvDeps(config: Config, db: Db): Promise<Built<Pick<AppDeps, "rateLimiter" | "idempotency">>> {
  if (!config.KV_TABLE)
    return { deps: { rateLimiter: createMemoryRateLimiter(), idempotency: createSqlIdempotencyStore(db) }, close: nothingToClose };
  const [{ openDynamoTable }, { createDynamoRateLimiter }, { createDynamoIdempotencyStore }] = await Promise.all([
    import("@polaris/adapters/dynamodb"),
    import("@polaris/adapters/dynamodb-rate-limiter"),
    import("@polaris/adapters/dynamodb-idempotency-store"),
  ]);
  const table = openDynamoTable(awsClientConfig(config), config.KV_TABLE);
  return {
    deps: { rateLimiter: createDynamoRateLimiter(table), idempotency: createDynamoIdempotencyStore(table) },
    close: () => table.destroy(),
  };
}

/** EventBridge (EVENT_BUS_NAME), else the in-process bus the host connects the consumers to. */
async function eventDeps(config: Config): Promise<Built<Pick<AppDeps, "events" | "inProcessBus">>> {
  if (!config.EVENT_BUS_NAME) {
    const bus = createInProcessBus();
    return { deps: { events: bus, inProcessBus: bus }, close: nothingToClose };
  }
  const { createEventBridgeBus } = await import("@polaris/adapters/eventbridge-bus");
  const bus = createEventBridgeBus({ busName: config.EVENT_BUS_NAME, client: awsClientConfig(config) });
  return { deps: { events: bus, inProcessBus: null }, close: () => bus.client.destroy() };
}

/** OpenSearch, written by the indexer (OPENSEARCH_URL), else SQL over the files table with no index to keep. */
async function searchDeps(config: Config, db: Db): Promise<Built<Pick<CoreDeps, "search" | "searchIndex">>> {
  if (!config.OPENSEARCH_URL) return { deps: { search: createSqlSearch(db), searchIndex: null }, close: nothingToClose };
  const [{ createOpenSearchIndex }, { createOpenSearchEngine }] = await Promise.all([
    import("@polaris/adapters/opensearch-index"),
    import("@polaris/adapters/opensearch-search"),
  ]);
  const index = createOpenSearchIndex({ url: config.OPENSEARCH_URL, alias: config.OPENSEARCH_INDEX, region: config.AWS_REGION });
  return { deps: { search: createOpenSearchEngine(index), searchIndex: index }, close: () => index.close() };
}

/** Delayed jobs: EventBridge Scheduler (SCHEDULE_GROUP), else the jobs table. */
async function schedulerDeps(config: Config, db: Db): Promise<Built<{ scheduler: Scheduler }>> {
  if (!config.SCHEDULE_GROUP) return { deps: { scheduler: createSqlScheduler(db) }, close: nothingToClose };
  if (!config.SCHEDULER_ROLE_ARN) throw new Error("invalid configuration: SCHEDULER_ROLE_ARN is required when SCHEDULE_GROUP is set");
  const { createEventBridgeScheduler } = await import("@polaris/adapters/eventbridge-scheduler");
  const scheduler = createEventBridgeScheduler({
    group: config.SCHEDULE_GROUP,
    roleArn: config.SCHEDULER_ROLE_ARN,
    targets: Object.fromEntries((Object.keys(jobTable) as JobName[]).map((job) => [job, config[jobArnVariable(job)]])),
    client: awsClientConfig(config),
  });
  return { deps: { scheduler }, close: () => scheduler.client.destroy() };
}

/** The business rules' settings, under core's names. */
function coreSettings(config: Config): CoreSettings {
  return {
    defaultQuotaBytes: config.DEFAULT_QUOTA_BYTES,
    accounts: {
      adminMobiles: config.ADMIN_MOBILES,
      authCacheSeconds: config.AUTH_CACHE_SECONDS,
      passwordHashCost: config.PASSWORD_HASH_COST,
    },
    login: {
      maxFailuresPerMobile: config.LOGIN_MAX_FAILURES_PER_MOBILE,
      maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    },
    files: {
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      multipartThresholdBytes: config.MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: config.MULTIPART_PART_SIZE_BYTES,
      uploadTtlSeconds: config.UPLOAD_TTL_SECONDS,
      multipartTtlSeconds: config.MULTIPART_TTL_SECONDS,
      presignExpiresSeconds: config.PRESIGN_EXPIRES_SECONDS,
      trashRetentionSeconds: config.TRASH_RETENTION_SECONDS,
      proofBytes: config.PROOF_BYTES,
      challengeTtlSeconds: config.CHALLENGE_TTL_SECONDS,
      versionKeepCount: config.VERSION_KEEP_COUNT,
      versionKeepDays: config.VERSION_KEEP_DAYS,
    },
    zip: {
      maxBytes: config.ZIP_MAX_BYTES,
      maxEntries: config.ZIP_MAX_ENTRIES,
      partBytes: config.ZIP_PART_BYTES,
      ttlSeconds: config.ZIP_TTL_SECONDS,
      jobsPerHour: config.ZIP_JOBS_PER_HOUR,
    },
    shares: {
      publicUrl: config.PUBLIC_URL,
      maxWrongCodesPerAddress: config.SHARE_CODE_MAX_FAILURES_PER_ADDRESS,
      addressWindowSeconds: config.SHARE_CODE_ADDRESS_WINDOW_SECONDS,
      maxWrongCodesPerAddressTotal: config.SHARE_CODE_MAX_FAILURES_PER_ADDRESS_TOTAL,
      maxWrongCodesPerShare: config.SHARE_CODE_MAX_FAILURES_PER_SHARE,
      shareWindowSeconds: config.SHARE_CODE_SHARE_WINDOW_SECONDS,
    },
  };
}

/** The composition root: builds every dependency from configuration, one concern at a time. */
export async function createDeps(env: Record<string, string | undefined>): Promise<AppDeps> {
  const config = loadConfig(env);
  const home = resolve(config.POLARIS_HOME);
  const db = await databaseDeps(config, home);
  const clock = { now: () => new Date() };
  const logger = createLogger(config);
  const tokens = tokenDeps(config, home, clock.now);
  const storage = storageDeps(config);
  const kv = await kvDeps(config, db);
  const events = await eventDeps(config);
  const search = await searchDeps(config, db);
  const scheduler = await schedulerDeps(config, db);
  const { events: bus, inProcessBus } = events.deps;
  return {
    config,
    db,
    clock,
    logger,
    ...tokens,
    ...storage.deps,
    ...kv.deps,
    ...events.deps,
    ...search.deps,
    ...scheduler.deps,
    settings: coreSettings(config),
    async publishEvents() {
      // No bus to reach (a function without EVENT_BUS_NAME, which writes no events): taking rows would only hide them from publishers.
      if (inProcessBus && !inProcessBus.connected()) return;
      try {
        await Outbox.publishPending({ db, events: bus }, KICK_BATCH);
      } catch (error) {
        logger.warn("outbox publish failed; the sweeper will retry", { error: error as Error });
      }
    },
    close: async () => {
      flushMetrics();
      for (const built of [storage, kv, events, scheduler, search]) await built.close();
      await db.destroy();
    },
  };
}

let current: Promise<AppDeps> | undefined;
let processConfig: Config | undefined;

/** This process's configuration, for what must be known before the dependencies are built (HTTP middleware options). */
export const getConfig = (): Config => (processConfig ??= loadConfig(process.env));

/** Built once per process (one Lambda container, or the local gateway) from the environment. */
export const getDeps = (): Promise<AppDeps> => (current ??= createDeps(process.env));

/** Lets a host process (the local gateway, a test) install the dependencies it built. */
export const setDeps = (deps: AppDeps) => {
  current = Promise.resolve(deps);
};
