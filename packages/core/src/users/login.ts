import type { BodyOf, userRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { burnPasswordCheck, verifyPassword } from "./password";

export type LoginInput = BodyOf<typeof userRoutes.login> & { clientAddress: string };

export async function login(deps: CoreDeps, input: LoginInput) {
  const limits = deps.settings.login;
  const mobileKey = `login:mobile:${input.mobile}`;
  const addressKey = `login:addr:${input.clientAddress}`;
  const [mobileFailures, addressFailures] = await Promise.all([
    deps.rateLimiter.count(mobileKey),
    deps.rateLimiter.count(addressKey),
  ]);
  if (mobileFailures >= limits.maxFailuresPerMobile || addressFailures >= limits.maxFailuresPerAddress) {
    fail("TOO_MANY_REQUESTS", "too many failed logins, try again later");
  }

  const user = await deps.db
    .selectFrom("users")
    .select(["id", "password_hash"])
    .where("mobile", "=", input.mobile)
    .executeTakeFirst();
  const ok = user ? await verifyPassword(input.password, user.password_hash) : await burnPasswordCheck(input.password);
  if (!user || !ok) {
    await Promise.all([
      deps.rateLimiter.increment(mobileKey, limits.windowSeconds),
      deps.rateLimiter.increment(addressKey, limits.windowSeconds),
    ]);
    // One message for an unknown mobile and a wrong password: nothing to enumerate.
    return fail("WRONG_CREDENTIALS");
  }
  await deps.rateLimiter.reset(mobileKey);
  return deps.tokens.issue(user.id);
}
