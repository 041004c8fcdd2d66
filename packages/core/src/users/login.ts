import type { BodyOf, userRoutes } from "@polaris/contract";
import { addressKey } from "../client-address";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { burnPasswordCheck, verifyPassword } from "./password";

export type LoginInput = BodyOf<typeof userRoutes.login> & { clientAddress: string };

/**
 * Every password check takes an attempt of its mobile's and its address's windows first, so parallel
 * guesses cannot all be checked against a count none of them has raised yet. A failure keeps its
 * attempts; a success clears the mobile's failures and gives its address attempt back.
 */
export async function login(deps: CoreDeps, input: LoginInput) {
  const limits = deps.settings.login;
  const mobileKey = `login:mobile:${input.mobile}`;
  const clientKey = `login:addr:${addressKey(input.clientAddress)}`;
  const [mobileTaken, clientTaken] = await Promise.all([
    deps.rateLimiter.take(mobileKey, limits.maxFailuresPerMobile, limits.windowSeconds),
    deps.rateLimiter.take(clientKey, limits.maxFailuresPerAddress, limits.windowSeconds),
  ]);
  if (!mobileTaken || !clientTaken) {
    // A refused login checks nothing, so it must not use up the other window's attempt either.
    await Promise.all([mobileTaken && deps.rateLimiter.giveBack(mobileKey), clientTaken && deps.rateLimiter.giveBack(clientKey)]);
    fail("TOO_MANY_REQUESTS", "too many failed logins, try again later");
  }

  const user = await deps.db
    .selectFrom("users")
    .select(["id", "password_hash", "disabled_at", "token_version"])
    .where("mobile", "=", input.mobile)
    .executeTakeFirst();
  const ok = user ? await verifyPassword(input.password, user.password_hash) : await burnPasswordCheck(input.password);
  // One message for an unknown mobile and a wrong password: nothing to enumerate.
  if (!user || !ok) return fail("WRONG_CREDENTIALS");
  await Promise.all([deps.rateLimiter.reset(mobileKey), deps.rateLimiter.giveBack(clientKey)]);
  // Said only to someone holding the password.
  if (user.disabled_at) return fail("ACCOUNT_DISABLED");
  // ADMIN_MOBILES also names accounts made before it was set: they become administrators at their next login.
  const promote = deps.settings.accounts.adminMobiles.includes(input.mobile);
  await deps.db
    .updateTable("users")
    .set({ last_login_at: deps.clock.now(), ...(promote ? { role: "admin" as const } : {}) })
    .where("id", "=", user.id)
    .execute();
  return deps.tokens.issue(user.id, user.token_version);
}
