export * as Users from "./users";
export { DomainError, fail } from "./errors";
export type { CoreDeps, CoreSettings } from "./deps";
export type * from "./ports";
export type { Database, Db, User } from "./db/schema";
export { migrateToLatest } from "./db/migrate";
export { isUniqueViolation } from "./db/errors";
export { toUnixSeconds } from "./time";
