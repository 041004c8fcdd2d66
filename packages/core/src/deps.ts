import type { Db } from "./db/schema";
import type { AccessTokens, Clock, ObjectStorage, RateLimiter, Scheduler } from "./ports";

export interface CoreSettings {
  defaultQuotaBytes: number;
  login: { maxFailuresPerMobile: number; maxFailuresPerAddress: number; windowSeconds: number };
  files: {
    maxUploadBytes: number;
    multipartThresholdBytes: number;
    partSizeBytes: number;
    uploadTtlSeconds: number;
    multipartTtlSeconds: number;
    presignExpiresSeconds: number;
    trashRetentionSeconds: number;
    /** Bytes a proof of possession covers (fewer for smaller files). */
    proofBytes: number;
    challengeTtlSeconds: number;
  };
}

/** Everything a use case may touch, built once by the composition root. */
export interface CoreDeps {
  db: Db;
  clock: Clock;
  rateLimiter: RateLimiter;
  tokens: AccessTokens;
  storage: ObjectStorage;
  scheduler: Scheduler;
  settings: CoreSettings;
}
