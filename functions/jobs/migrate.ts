import { migrateToLatest } from "@polaris/core/migrate";
import { getDeps } from "@polaris/runtime";

/** Run by the deploy (an SST Script) after the database is up: applies pending migrations, and fails the deploy if one fails. */
export const handler = async () => {
  const deps = await getDeps();
  await migrateToLatest(deps.db);
  return { migrated: true };
};
