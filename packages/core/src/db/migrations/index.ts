import type { Migration, MigrationProvider } from "kysely";
import { migration0001Users } from "./0001_users";
import { migration0002Files } from "./0002_files";
import { migration0003Shares } from "./0003_shares";
import { migration0005FolderCounts } from "./0005_folder_counts";
import { migration0006IdempotencyLease } from "./0006_idempotency_lease";
import { migration0007SearchGrams } from "./0007_search_grams";
import { migration0009FileVersions } from "./0009_file_versions";
import { migration0013NameOrder } from "./0013_name_order";

/** Migrations live in code so that every profile (PGlite, PostgreSQL, Lambda bundles) carries them; names sort in apply order. */
const migrations: Record<string, Migration> = {
  "0001_users": migration0001Users,
  "0002_files": migration0002Files,
  "0003_shares": migration0003Shares,
  "0005_folder_counts": migration0005FolderCounts,
  "0006_idempotency_lease": migration0006IdempotencyLease,
  "0007_search_grams": migration0007SearchGrams,
  "0009_file_versions": migration0009FileVersions,
  "0013_name_order": migration0013NameOrder,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
