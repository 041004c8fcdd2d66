import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  createAccessTokens, createDynamoIdempotencyStore, createDynamoRateLimiter, createMemoryRateLimiter, createS3Storage,
  createShareTokens, createSqlIdempotencyStore, createSqlScheduler, openDatabase, openDynamoTable,
  type AccessTokenService,
} from "@polaris/adapters";
import { migrateToLatest, type CoreDeps, type IdempotencyStore } from "@polaris/core";
import { loadConfig, type Config } from "./config";

export interface AppDeps extends CoreDeps {
  config: Config;
  accessTokens: AccessTokenService;
  idempotency: IdempotencyStore;
  logger: Logger;
  close(): Promise<void>;
}

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

/** What every AWS SDK client shares: the region, a local endpoint when one is set, static credentials when given. */
export function awsClientConfig(config: Config, endpoint = config.AWS_ENDPOINT_URL) {
  return {
    region: config.AWS_REGION,
    ...(endpoint ? { endpoint } : {}),
    ...(config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY } }
      : {}),
  };
}

/** The composition root: builds every dependency from configuration. */
export async function createDeps(env: Record<string, string | undefined>): Promise<AppDeps> {
  const config = loadConfig(env);
  const home = resolve(config.POLARIS_HOME);
  const db = await openDatabase(
    config.DATABASE_URL
      ? { kind: "postgres", url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }
      : { kind: "pglite", dataDir: config.PGLITE_DIR === "memory" ? undefined : resolve(config.PGLITE_DIR ?? join(home, "pglite")) },
  );
  await migrateToLatest(db);
  const clock = { now: () => new Date() };
  const secret = config.JWT_SECRET ?? localSecret(home);
  const accessTokens = createAccessTokens(secret, config.ACCESS_EXPIRE_SECONDS, clock.now);
  const logger = new Logger({ serviceName: "polaris", logLevel: config.LOG_LEVEL });
  const storage = createS3Storage({
    bucket: config.S3_BUCKET,
    client: { ...awsClientConfig(config, config.S3_ENDPOINT ?? config.AWS_ENDPOINT_URL), forcePathStyle: config.S3_FORCE_PATH_STYLE },
  });
  const kv = config.KV_TABLE ? openDynamoTable(awsClientConfig(config), config.KV_TABLE) : undefined;
  return {
    config,
    db,
    clock,
    logger,
    accessTokens,
    tokens: accessTokens,
    shareTokens: createShareTokens(secret, config.SHARE_TOKEN_EXPIRE_SECONDS, clock.now),
    rateLimiter: kv ? createDynamoRateLimiter(kv) : createMemoryRateLimiter(),
    idempotency: kv ? createDynamoIdempotencyStore(kv) : createSqlIdempotencyStore(db),
    storage,
    scheduler: createSqlScheduler(db),
    settings: {
      defaultQuotaBytes: config.DEFAULT_QUOTA_BYTES,
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
      },
      shares: {
        publicUrl: config.PUBLIC_URL,
        maxWrongCodesPerAddress: config.SHARE_CODE_MAX_FAILURES_PER_ADDRESS,
        addressWindowSeconds: config.SHARE_CODE_ADDRESS_WINDOW_SECONDS,
        maxWrongCodesPerShare: config.SHARE_CODE_MAX_FAILURES_PER_SHARE,
        shareWindowSeconds: config.SHARE_CODE_SHARE_WINDOW_SECONDS,
      },
    },
    close: async () => {
      storage.client.destroy();
      kv?.destroy();
      await db.destroy();
    },
  };
}

let current: Promise<AppDeps> | undefined;

/** Built once per process (one Lambda container, or the local gateway) from the environment. */
export const getDeps = (): Promise<AppDeps> => (current ??= createDeps(process.env));

/** Lets a host process (the local gateway, a test) install the dependencies it built. */
export const setDeps = (deps: AppDeps) => {
  current = Promise.resolve(deps);
};
