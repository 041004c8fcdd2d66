import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import {
  createAccessTokens, createMemoryRateLimiter, createSqlIdempotencyStore, openDatabase,
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
  const accessTokens = createAccessTokens(config.JWT_SECRET ?? localSecret(home), config.ACCESS_EXPIRE_SECONDS, clock.now);
  const logger = new Logger({ serviceName: "polaris", logLevel: config.LOG_LEVEL });
  return {
    config,
    db,
    clock,
    logger,
    accessTokens,
    tokens: accessTokens,
    rateLimiter: createMemoryRateLimiter(),
    idempotency: createSqlIdempotencyStore(db),
    settings: {
      defaultQuotaBytes: config.DEFAULT_QUOTA_BYTES,
      login: {
        maxFailuresPerMobile: config.LOGIN_MAX_FAILURES_PER_MOBILE,
        maxFailuresPerAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
        windowSeconds: config.LOGIN_WINDOW_SECONDS,
      },
    },
    close: () => db.destroy(),
  };
}

let current: Promise<AppDeps> | undefined;

/** Built once per process (one Lambda container, or the local gateway) from the environment. */
export const getDeps = (): Promise<AppDeps> => (current ??= createDeps(process.env));

/** Lets a host process (the local gateway, a test) install the dependencies it built. */
export const setDeps = (deps: AppDeps) => {
  current = Promise.resolve(deps);
};
