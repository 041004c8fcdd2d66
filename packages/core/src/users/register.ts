import { sql } from "kysely";
import type { BodyOf, userRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import type { Db, UserRole } from "../db/schema";
import { fail } from "../errors";
import { hashPassword } from "./password";

export type RegisterInput = BodyOf<typeof userRoutes.register>;

/**
 * Creates the account. Its role: administrator when ADMIN_MOBILES names the mobile, or, with no
 * ADMIN_MOBILES, when it is the first account of a fresh install (as Cloudreve does).
 */
export async function register(deps: CoreDeps, input: RegisterInput) {
  const passwordHash = await hashPassword(input.password, deps.settings.accounts.passwordHashCost);
  const { adminMobiles } = deps.settings.accounts;
  const values = {
    mobile: input.mobile,
    // The original product names new users after their number; keep that default.
    name: input.name ?? input.mobile,
    password_hash: passwordHash,
    quota_total: deps.settings.defaultQuotaBytes,
  };
  const insert = (db: Db, role: UserRole) =>
    db
      .insertInto("users")
      .values({ ...values, role })
      .returning("id")
      .executeTakeFirstOrThrow();
  let id: number;
  try {
    if (adminMobiles.length) ({ id } = await insert(deps.db, adminMobiles.includes(input.mobile) ? "admin" : "user"));
    else if (await deps.db.selectFrom("users").select("id").limit(1).executeTakeFirst()) ({ id } = await insert(deps.db, "user"));
    else {
      // Looks like a fresh install: registrations queue on a lock (only here, never later) so exactly one becomes the first.
      ({ id } = await deps.db.transaction().execute(async (trx) => {
        await sql`lock table users in share row exclusive mode`.execute(trx);
        const first = !(await trx.selectFrom("users").select("id").limit(1).executeTakeFirst());
        return insert(trx, first ? "admin" : "user");
      }));
    }
  } catch (err) {
    if (isUniqueViolation(err)) fail("MOBILE_TAKEN");
    throw err;
  }
  return deps.tokens.issue(id, 0);
}
