import { sql } from "kysely";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { toUnixSeconds } from "../time";
import { openShare } from "./access";

/**
 * Opens a share with its code: the public summary and a token for the other public endpoints; counts a
 * click. The owner (signed in) needs no code and is never throttled on their own share.
 */
export async function validate(deps: CoreDeps, input: BodyOf<typeof shareRoutes.validate> & { clientAddress: string }, viewerId?: number) {
  const share = await openShare(deps, input, viewerId);
  await deps.db.updateTable("shares").set({ click_num: sql`click_num + 1` }).where("id", "=", share.id).execute();
  const { shareToken, expiresAt } = await deps.shareTokens.issue(share.identity, share.code_version);
  return {
    share: {
      identity: share.identity,
      fileName: share.root.name,
      isDir: share.root.is_dir,
      size: share.root.size,
      sharerName: share.sharer_name,
      expiredTime: share.expired_at ? toUnixSeconds(share.expired_at) : 0,
    },
    shareToken,
    shareTokenExpire: expiresAt,
  };
}
