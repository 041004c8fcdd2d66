import type { BodyOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { forgetSessions } from "../users/session";
import { recordAudit } from "./audit";
import { adminUser } from "./users";

/**
 * Disables or enables an account. A disabled user's tokens are refused (401 200005) and their shares
 * closed to visitors (403 200006); files, shares and quota stay as they are, so enabling restores all.
 */
export async function setDisabled(deps: CoreDeps, actorId: number, input: BodyOf<typeof adminRoutes.setDisabled>) {
  const result = await deps.db.transaction().execute(async (trx) => {
    const user = await adminUser(trx, input.mobile);
    if (user.id === actorId && input.disabled) fail("ADMIN_SELF", "you cannot disable your own account");
    await trx
      .updateTable("users")
      .set({ disabled_at: input.disabled ? (user.disabled ? undefined : deps.clock.now()) : null })
      .where("id", "=", user.id)
      .execute();
    await recordAudit(trx, actorId, input.disabled ? "user.disable" : "user.enable", input.mobile);
    return { user: await adminUser(trx, input.mobile) };
  });
  forgetSessions(deps, result.user.id);
  return result;
}
