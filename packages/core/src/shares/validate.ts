import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { toUnixSeconds } from "../time";
import { openShare } from "./access";
import { assertDownloadsLeft, takeView } from "./limits";

/**
 * Opens a share with its code: the public summary and a token for the other public endpoints; counts a
 * view against the view limit (the owner's own are not counted). A share whose downloads are used up
 * opens no more. The owner (signed in) needs no code and is never throttled on their own share.
 */
export async function validate(deps: CoreDeps, input: BodyOf<typeof shareRoutes.validate> & { clientAddress: string }, viewerId?: number) {
  const share = await openShare(deps, input, viewerId, { opening: true });
  if (viewerId !== share.user_id) {
    assertDownloadsLeft(share);
    await takeView(deps.db, share);
  }
  const { shareToken, expiresAt } = await deps.shareTokens.issue(share.identity, share.code_version);
  return {
    share: {
      identity: share.identity,
      fileName: share.root.name,
      isDir: share.root.is_dir,
      size: share.root.size,
      sharerName: share.sharer_name,
      expiredTime: share.expired_at ? toUnixSeconds(share.expired_at) : 0,
      previewOnly: share.preview_only,
    },
    shareToken,
    shareTokenExpire: expiresAt,
  };
}
