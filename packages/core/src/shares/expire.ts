import type { CoreDeps } from "../deps";

/** The expiry job: marks the share expired only if it is still normal and really past its time. */
export async function expireShare(deps: CoreDeps, shareIdentity: string) {
  const now = deps.clock.now();
  const row = await deps.db
    .updateTable("shares")
    .set({ status: 3, updated_at: now })
    .where("identity", "=", shareIdentity)
    .where("status", "=", 0)
    .where("expired_at", "<=", now)
    .returning("id")
    .executeTakeFirst();
  return { expired: Boolean(row) };
}
