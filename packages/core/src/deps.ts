import type { Db } from "./db/schema";
import type { AccessTokens, Clock, EventBus, ObjectStorage, RateLimiter, Scheduler, SearchEngine, SearchIndex, ShareTokens } from "./ports";

export interface CoreSettings {
  defaultQuotaBytes: number;
  accounts: {
    /** Mobiles that are administrators (ADMIN_MOBILES); empty: the first registered user is. */
    adminMobiles: string[];
    /** How long a process trusts an account state it read for a token (the revocation bound); 0: never. */
    authCacheSeconds: number;
    /** scrypt's N for new password hashes, as its log2. */
    passwordHashCost: number;
  };
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
    /** Previous versions kept per file (the oldest beyond it are pruned); 0: no count limit. */
    versionKeepCount: number;
    /** Previous versions replaced longer ago than this are pruned; 0: no age limit. */
    versionKeepDays: number;
  };
  zip: {
    /** Bytes and entries a zip may hold: more answer 413 at creation. */
    maxBytes: number;
    maxEntries: number;
    /** The upload parts the worker buffers. */
    partBytes: number;
    /** How long a finished zip stays. */
    ttlSeconds: number;
    /** Jobs per user, or per client address on a share, in an hour. */
    jobsPerHour: number;
  };
  shares: {
    /** Where the web console answers; share links are `${publicUrl}/s/<identity>`. */
    publicUrl: string;
    /** Wrong codes allowed per share and client address in a window. */
    maxWrongCodesPerAddress: number;
    addressWindowSeconds: number;
    /** Wrong codes allowed per client address on all shares together in the share window. */
    maxWrongCodesPerAddressTotal: number;
    /** Wrong codes per share from everyone in the share window before each address gets one check per window. */
    maxWrongCodesPerShare: number;
    shareWindowSeconds: number;
  };
}

/** Everything a use case may touch, built once by the composition root. */
export interface CoreDeps {
  db: Db;
  clock: Clock;
  rateLimiter: RateLimiter;
  tokens: AccessTokens;
  shareTokens: ShareTokens;
  storage: ObjectStorage;
  scheduler: Scheduler;
  /** Receives the outbox after commit. */
  events: EventBus;
  search: SearchEngine;
  /** Null when the search engine reads the files table itself (the embedded profile). */
  searchIndex: SearchIndex | null;
  settings: CoreSettings;
}
