import { sql } from "kysely";
import type { BodyOf, userRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { hashPassword, verifyPassword } from "./password";
import { forgetSessions } from "./session";

/**
 * Changes the password, given the current one (checked under the login throttle of the user's mobile:
 * a stolen token cannot be used to guess it). Raises the token version, which signs out every token
 * of the user; the caller gets a new one and stays signed in.
 */
export async function changePassword(deps: CoreDeps, userId: number, input: BodyOf<typeof userRoutes.changePassword>) {
  const user = await deps.db.selectFrom("users").select(["mobile", "password_hash"]).where("id", "=", userId).executeTakeFirst();
  if (!user) return fail("USER_NOT_FOUND");
  const limits = deps.settings.login;
  const key = `login:mobile:${user.mobile}`;
  if (!(await deps.rateLimiter.take(key, limits.maxFailuresPerMobile, limits.windowSeconds)))
    fail("TOO_MANY_REQUESTS", "too many wrong passwords, try again later");
  if (!(await verifyPassword(input.oldPassword, user.password_hash))) return fail("WRONG_PASSWORD");
  await deps.rateLimiter.reset(key);
  const passwordHash = await hashPassword(input.newPassword, deps.settings.accounts.passwordHashCost);
  const { token_version } = await deps.db
    .updateTable("users")
    .set({ password_hash: passwordHash, token_version: sql`token_version + 1`, updated_at: deps.clock.now() })
    .where("id", "=", userId)
    .returning("token_version")
    .executeTakeFirstOrThrow();
  forgetSessions(deps, userId);
  return deps.tokens.issue(userId, token_version);
}
