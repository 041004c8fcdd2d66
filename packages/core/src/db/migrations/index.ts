import type { Migration, MigrationProvider } from "kysely";
import { migration0001Users } from "./0001_users";
import { migration0002Files } from "./0002_files";
import { migration0003Shares } from "./0003_shares";
import { migration0005FolderCounts } from "./0005_folder_counts";
import { migration0006IdempotencyLease } from "./0006_idempotency_lease";
import { migration0007SearchGrams } from "./0007_search_grams";
import { migration0011Thumbnails } from "./0011_thumbnails";
import { migration0012WriteStatements } from "./0012_write_statements";
import { migration0008Accounts } from "./0008_accounts";
import { migration0009FileVersions } from "./0009_file_versions";
import { migration0013NameOrder } from "./0013_name_order";
import { migration0010ZipJobsShareLimits } from "./0010_zip_jobs_share_limits";

/** Migrations live in code so that every profile (PGlite, PostgreSQL, Lambda bundles) carries them; names sort in apply order. */
const migrations: Record<string, Migration> = {
  "0001_users": migration0001Users,
  "0002_files": migration0002Files,
  "0003_shares": migration0003Shares,
  "0005_folder_counts": migration0005FolderCounts,
  "0006_idempotency_lease": migration0006IdempotencyLease,
  "0007_search_grams": migration0007SearchGrams,
  "0011_thumbnails": migration0011Thumbnails,
  "0012_write_statements": migration0012WriteStatements,
  "0008_accounts": migration0008Accounts,
  "0009_file_versions": migration0009FileVersions,
  "0013_name_order": migration0013NameOrder,
  "0010_zip_jobs_share_limits": migration0010ZipJobsShareLimits,
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };
