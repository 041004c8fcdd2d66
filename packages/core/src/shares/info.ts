import type { QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { toUnixSeconds } from "../time";
import { assertDownloadsLeft } from "./limits";
import { assertUsable, sharerName } from "./shared";

/**
 * What the share page shows a visitor before the code: who shares and until when, whether a code is
 * needed. Nothing about the files (their names are behind the code), and no view is counted.
 */
export async function info(deps: CoreDeps, query: QueryOf<typeof shareRoutes.info>) {
  const share = await deps.db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.status",
      "s.expired_at",
      "s.code",
      "s.preview_only",
      "s.click_num",
      "s.view_limit",
      "s.download_num",
      "s.download_limit",
      "f.status as file_status",
      "u.name",
      "u.mobile",
      "u.disabled_at",
    ])
    .where("s.identity", "=", query.identity)
    .executeTakeFirst();
  if (!share) return fail("SHARE_NOT_FOUND");
  assertUsable(share, deps.clock.now());
  // As openShare: a disabled account's shares are closed.
  if (share.disabled_at) fail("SHARE_OWNER_DISABLED");
  if (share.file_status !== "active") fail("SHARED_FILE_GONE");
  assertDownloadsLeft(share);
  if (share.view_limit !== null && share.click_num >= share.view_limit)
    fail("SHARE_VIEW_LIMIT_REACHED", `this share's ${share.view_limit} views are used up`);
  return {
    sharerName: sharerName(share.name, share.mobile),
    expiredTime: share.expired_at ? toUnixSeconds(share.expired_at) : 0,
    hasCode: share.code !== null,
    previewOnly: share.preview_only,
  };
}
