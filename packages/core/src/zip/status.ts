import type { QueryOf, zipRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { openShare } from "../shares/access";
import { toZipJob } from "./shared";

/**
 * A job's progress for whoever may follow it: the user who started it, or visitors of its share (with
 * the share's code or token). Anyone else's job, or a share's job asked for without the share, is
 * not found: the same answer as an id nobody has.
 */
export async function status(
  deps: CoreDeps,
  query: QueryOf<typeof zipRoutes.status> & { clientAddress: string },
  userId: number | undefined,
) {
  const row = await deps.db.selectFrom("zip_jobs").selectAll().where("identity", "=", query.id).executeTakeFirst();
  if (query.shareIdentity) {
    const share = await openShare(
      deps,
      { identity: query.shareIdentity, code: query.code, shareToken: query.shareToken, clientAddress: query.clientAddress },
      userId,
    );
    if (!row || row.share_id !== share.id) return fail("ZIP_JOB_NOT_FOUND");
    return toZipJob(deps, row);
  }
  if (userId === undefined) return fail("UNAUTHORIZED", "sign in, or name the share the zip was made from");
  if (!row || row.user_id !== userId) return fail("ZIP_JOB_NOT_FOUND");
  return toZipJob(deps, row);
}
