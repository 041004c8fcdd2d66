import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { ownedShares, scheduleExpiry } from "./shared";

/** Cancels the caller's shares, all or nothing; already cancelled (or banned) ones stay as they are. */
export async function cancel(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.cancel>) {
  const cancelled = await deps.db.transaction().execute(async (trx) => {
    const shares = await ownedShares(trx, userId, input.identities);
    const rows = await trx
      .updateTable("shares")
      .set({ status: 2, updated_at: deps.clock.now() })
      .where(
        "id",
        "in",
        shares.map((s) => s.id),
      )
      .where("status", "in", [0, 3])
      .returning("identity")
      .execute();
    const identities = rows.map((r) => r.identity);
    if (identities.length) await recordEvent(trx, "share.cancelled", { userId, shareIdentities: identities });
    return identities;
  });
  await Promise.all(cancelled.map((identity) => scheduleExpiry(deps, identity, null)));
  return { cancelledCount: cancelled.length };
}
