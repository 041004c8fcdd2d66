import { sql } from "kysely";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { assertUsable, ownedShares, requestedExpiry, scheduleExpiry, shareItemQuery, toShareItem } from "./shared";

/**
 * Changes a usable share's expiry (counted from now, or a date), code and limits. A different code
 * bumps the code version: share tokens issued for the old code stop working and the wrong-code
 * throttle starts afresh, which is how an owner reopens a share that strangers have throttled. A
 * limit raised above its count reopens a used-up link; null removes it.
 */
export async function update(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.update>) {
  const now = deps.clock.now();
  const expiry = requestedExpiry(now, input);
  const id = await deps.db.transaction().execute(async (trx) => {
    const [share] = await ownedShares(trx, userId, [input.identity]);
    assertUsable(share!, now);
    const code = input.code === undefined ? share!.code : input.code || null;
    await trx
      .updateTable("shares")
      .set({
        ...(expiry ?? {}),
        ...(code === share!.code ? {} : { code, code_version: sql`code_version + 1` }),
        ...(input.downloadLimit === undefined ? {} : { download_limit: input.downloadLimit }),
        ...(input.viewLimit === undefined ? {} : { view_limit: input.viewLimit }),
        ...(input.previewOnly === undefined ? {} : { preview_only: input.previewOnly }),
        updated_at: now,
      })
      .where("id", "=", share!.id)
      .execute();
    await recordEvent(trx, "share.updated", { userId, shareIdentities: [input.identity] });
    return share!.id;
  });
  if (expiry) await scheduleExpiry(deps, input.identity, expiry.expired_at);
  const row = await shareItemQuery(deps.db).where("s.id", "=", id).executeTakeFirstOrThrow();
  return { share: toShareItem(row, now) };
}
