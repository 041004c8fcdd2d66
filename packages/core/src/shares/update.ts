import { sql } from "kysely";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { assertUsable, expiryFrom, ownedShares, scheduleExpiry, shareItemQuery, toShareItem } from "./shared";

/**
 * Changes a usable share's expiry (counted from now) and/or code. A different code bumps the code
 * version: share tokens issued for the old code stop working and the wrong-code throttle starts
 * afresh, which is how an owner reopens a share that strangers have throttled.
 */
export async function update(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.update>) {
  const now = deps.clock.now();
  const expiredAt = input.expiredType === undefined ? undefined : expiryFrom(now, input.expiredType);
  const id = await deps.db.transaction().execute(async (trx) => {
    const [share] = await ownedShares(trx, userId, [input.identity]);
    assertUsable(share!, now);
    const code = input.code === undefined ? share!.code : input.code || null;
    await trx
      .updateTable("shares")
      .set({
        ...(input.expiredType === undefined ? {} : { expired_type: input.expiredType, expired_at: expiredAt }),
        ...(code === share!.code ? {} : { code, code_version: sql`code_version + 1` }),
        updated_at: now,
      })
      .where("id", "=", share!.id)
      .execute();
    await recordEvent(trx, "share.updated", { userId, shareIdentities: [input.identity] });
    return share!.id;
  });
  if (expiredAt !== undefined) await scheduleExpiry(deps, input.identity, expiredAt);
  const row = await shareItemQuery(deps.db).where("s.id", "=", id).executeTakeFirstOrThrow();
  return { share: toShareItem(row, now) };
}
