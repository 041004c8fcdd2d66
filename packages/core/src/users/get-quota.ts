import type { CoreDeps } from "../deps";
import { fail } from "../errors";

export async function getQuota(deps: CoreDeps, userId: number) {
  const user = await deps.db
    .selectFrom("users")
    .select(["quota_total", "quota_used", "quota_reserved"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return fail("USER_NOT_FOUND");
  return { totalSize: user.quota_total, usedSize: user.quota_used, reservedSize: user.quota_reserved };
}
