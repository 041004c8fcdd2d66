/** What the domain needs from the outside world; adapters implement these per profile. */

export interface Clock {
  now(): Date;
}

/** Fixed-window counters (DynamoDB items with TTL on AWS, memory in the embedded profile). */
export interface RateLimiter {
  /** Current count of the window the key is in. */
  count(key: string): Promise<number>;
  /** Adds one and returns the new count; a new window starts `windowSeconds` after the first hit. */
  increment(key: string, windowSeconds: number): Promise<number>;
  reset(key: string): Promise<void>;
}

export interface AccessTokens {
  issue(userId: number): Promise<{ accessToken: string; accessExpire: number; refreshAfter: number }>;
}

export type IdempotencyRecord =
  | { status: "in_progress"; requestHash: string }
  | { status: "done"; requestHash: string; response: string };

/** Remembers the first result of a mutating request by (scope, key). */
export interface IdempotencyStore {
  /** Claims the key; returns the existing record if someone holds it already. */
  claim(scope: string, key: string, requestHash: string, ttlSeconds: number): Promise<IdempotencyRecord | null>;
  complete(scope: string, key: string, response: string): Promise<void>;
  /** Frees the key after a failure so a retry can run. */
  release(scope: string, key: string): Promise<void>;
}
