export { openDatabase, type DatabaseTarget } from "./database";
export { createAccessTokens, type AccessTokenService } from "./access-tokens";
export { createMemoryRateLimiter } from "./memory-rate-limiter";
export { createSqlIdempotencyStore } from "./sql-idempotency-store";
