import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { toUnixSeconds } from "../time";

export async function getInfo(deps: CoreDeps, userId: number) {
  const user = await deps.db
    .selectFrom("users")
    .select(["id", "mobile", "name", "avatar", "info", "created_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return fail("USER_NOT_FOUND");
  const { created_at, ...rest } = user;
  return { userInfo: { ...rest, createTime: toUnixSeconds(created_at) } };
}
