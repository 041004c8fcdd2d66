import type { BodyOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { recordAudit } from "./audit";
import { adminShare } from "./shares";

/**
 * Bans a share (status 1: every visitor route answers 403 400005, as the seed defines) or lifts the
 * ban (status 0; one past its time then reads as expired, as any other). A cancelled share stays
 * cancelled: banning it changes nothing, and lifting a ban never revives what its owner cancelled.
 */
export async function banShare(deps: CoreDeps, actorId: number, input: BodyOf<typeof adminRoutes.shareBan>) {
  return deps.db.transaction().execute(async (trx) => {
    await adminShare(deps, trx, input.identity);
    const changed = await trx
      .updateTable("shares")
      .set({ status: input.banned ? 1 : 0, updated_at: deps.clock.now() })
      .where("identity", "=", input.identity)
      .where("status", "in", input.banned ? [0, 3] : [1])
      .returning("user_id")
      .executeTakeFirst();
    if (changed) await recordEvent(trx, "share.updated", { userId: changed.user_id, shareIdentities: [input.identity] });
    await recordAudit(trx, actorId, input.banned ? "share.ban" : "share.unban", input.identity, changed ? "" : "unchanged");
    return { share: await adminShare(deps, trx, input.identity) };
  });
}
