import type { Migration, MigrationProvider } from "kysely";
import { migration0001Users } from "./0001_users";

/** Migrations live in code so that every profile (PGlite, PostgreSQL, Lambda bundles) carries them; names sort in apply order. */
const migrations: Record<string, Migration> = {
  "0001_users": migration0001Users,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
