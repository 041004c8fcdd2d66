import type { Db } from "./db/schema";
import type { AccessTokens, Clock, RateLimiter } from "./ports";

export interface CoreSettings {
  defaultQuotaBytes: number;
  login: { maxFailuresPerMobile: number; maxFailuresPerAddress: number; windowSeconds: number };
}

/** Everything a use case may touch, built once by the composition root. */
export interface CoreDeps {
  db: Db;
  clock: Clock;
  rateLimiter: RateLimiter;
  tokens: AccessTokens;
  settings: CoreSettings;
}
