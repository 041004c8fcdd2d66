import type { BodyOf, userRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { hashPassword } from "./password";

export type RegisterInput = BodyOf<typeof userRoutes.register>;

export async function register(deps: CoreDeps, input: RegisterInput) {
  const passwordHash = await hashPassword(input.password);
  let id: number;
  try {
    ({ id } = await deps.db
      .insertInto("users")
      .values({
        mobile: input.mobile,
        // The original product names new users after their number; keep that default.
        name: input.name ?? input.mobile,
        password_hash: passwordHash,
        quota_total: deps.settings.defaultQuotaBytes,
      })
      .returning("id")
      .executeTakeFirstOrThrow());
  } catch (err) {
    if (isUniqueViolation(err)) fail("MOBILE_TAKEN");
    throw err;
  }
  return deps.tokens.issue(id);
}
