import type { QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { openShare } from "../shares/access";
import { toZipJob } from "./shared";

const jobRow = (deps: CoreDeps, identity: string) =>
  deps.db.selectFrom("zip_jobs").selectAll().where("identity", "=", identity).executeTakeFirst();

/** The caller's job; anyone else's (a share's included) is not found, the same answer as an id nobody has. */
export async function status(deps: CoreDeps, userId: number, identity: string) {
  const row = await jobRow(deps, identity);
  if (!row || row.user_id !== userId) return fail("ZIP_JOB_NOT_FOUND");
  return toZipJob(deps, row);
}

/** A job of this share, for its visitors (code or share token); any other job is not found. */
export async function statusForShare(deps: CoreDeps, query: QueryOf<typeof shareRoutes.zipStatus> & { clientAddress: string }) {
  const share = await openShare(deps, query);
  const row = await jobRow(deps, query.id);
  if (!row || row.share_id !== share.id) return fail("ZIP_JOB_NOT_FOUND");
  return toZipJob(deps, row);
}
