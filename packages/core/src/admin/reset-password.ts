import { randomInt } from "node:crypto";
import { sql } from "kysely";
import type { BodyOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { hashPassword } from "../users/password";
import { forgetSessions } from "../users/session";
import { recordAudit } from "./audit";
import { adminUser } from "./users";

// No look-alikes (0/O, 1/l/I): the password is read out or typed from a screen.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
const LENGTH = 12;

/**
 * Sets a new random password (12 symbols of 54: ~69 bits) and signs out every token of the user. The
 * password is in this answer only: the database keeps its hash, the audit log only that it happened.
 */
export async function resetPassword(deps: CoreDeps, actorId: number, input: BodyOf<typeof adminRoutes.passwordReset>) {
  const password = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const passwordHash = await hashPassword(password, deps.settings.accounts.passwordHashCost);
  const userId = await deps.db.transaction().execute(async (trx) => {
    const user = await adminUser(trx, input.mobile);
    // One's own password is changed with the current one (user/password), which keeps this session.
    if (user.id === actorId) fail("ADMIN_SELF", "change your own password with your current one instead");
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, token_version: sql`token_version + 1`, updated_at: deps.clock.now() })
      .where("id", "=", user.id)
      .execute();
    await recordAudit(trx, actorId, "user.password-reset", input.mobile);
    return user.id;
  });
  forgetSessions(deps, userId);
  return { mobile: input.mobile, password };
}
