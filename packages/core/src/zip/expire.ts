import type { CoreDeps } from "../deps";

/** The zip.expire job: deletes a finished zip whose time is up; the job's row stays, as expired. */
export async function expireZip(deps: CoreDeps, jobIdentity: string) {
  const row = await deps.db
    .updateTable("zip_jobs")
    .set({ status: "expired", updated_at: deps.clock.now() })
    .where("identity", "=", jobIdentity)
    .where("status", "=", "done")
    .where("expires_at", "<=", deps.clock.now())
    .returning("object_key")
    .executeTakeFirst();
  if (row) await deps.storage.delete([row.object_key]);
  return { expired: Boolean(row) };
}
