import type { Migration, MigrationProvider } from "kysely";
import { migration0001Users } from "./0001_users";
import { migration0002Files } from "./0002_files";

/** Migrations live in code so that every profile (PGlite, PostgreSQL, Lambda bundles) carries them; names sort in apply order. */
const migrations: Record<string, Migration> = {
  "0001_users": migration0001Users,
  "0002_files": migration0002Files,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
