import type { BodyOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { forgetSessions } from "../users/session";
import { recordAudit } from "./audit";
import { adminUser } from "./users";

/** Grants or takes the administrator role; an administrator cannot take their own (there is always one left who acted). */
export async function setRole(deps: CoreDeps, actorId: number | null, input: BodyOf<typeof adminRoutes.setRole>) {
  const result = await deps.db.transaction().execute(async (trx) => {
    const user = await adminUser(trx, input.mobile);
    if (user.id === actorId && input.role !== "admin") fail("ADMIN_SELF", "you cannot take your own administrator role");
    await trx.updateTable("users").set({ role: input.role }).where("id", "=", user.id).execute();
    // A grant from the command line (`npm run admin`) has no acting user: it is recorded as the user's own (actor 0).
    await recordAudit(trx, actorId ?? 0, input.role === "admin" ? "user.grant-admin" : "user.revoke-admin", input.mobile);
    return { user: await adminUser(trx, input.mobile) };
  });
  forgetSessions(deps, result.user.id);
  return result;
}
