export { openDatabase, type DatabaseTarget } from "./database";
export { createAccessTokens, type AccessTokenService } from "./access-tokens";
export { createMemoryRateLimiter } from "./memory-rate-limiter";
export { createSqlIdempotencyStore } from "./sql-idempotency-store";
export { openDynamoTable } from "./dynamodb";
export { createDynamoRateLimiter } from "./dynamodb-rate-limiter";
export { createDynamoIdempotencyStore } from "./dynamodb-idempotency-store";
export { createS3Storage, contentDisposition } from "./s3-storage";
export { createSqlScheduler } from "./sql-scheduler";
