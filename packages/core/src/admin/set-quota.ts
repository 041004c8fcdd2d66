import { sql } from "kysely";
import type { BodyOf, adminRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { recordAudit } from "./audit";
import { adminUser } from "./users";

/**
 * Sets a user's quota in one conditional UPDATE: never below what they use and hold for uploads in
 * progress unless `force` says so (a racing upload cannot slip between a check and the write).
 */
export async function setQuota(deps: CoreDeps, actorId: number, input: BodyOf<typeof adminRoutes.setQuota>) {
  return deps.db.transaction().execute(async (trx) => {
    const before = await adminUser(trx, input.mobile);
    const row = await trx
      .updateTable("users")
      .set({ quota_total: input.totalSize, updated_at: deps.clock.now() })
      .where("id", "=", before.id)
      .$if(!input.force, (q) => q.where(sql<boolean>`quota_used + quota_reserved <= ${input.totalSize}`))
      .returning(["quota_used", "quota_reserved"])
      .executeTakeFirst();
    if (!row)
      fail(
        "QUOTA_BELOW_USAGE",
        `the user uses ${before.usedSize + before.reservedSize} bytes (with uploads in progress), more than ${input.totalSize}; send force: true to set it anyway`,
      );
    await recordAudit(
      trx,
      actorId,
      "user.quota",
      input.mobile,
      `${before.totalSize} → ${input.totalSize}${input.force ? " (forced)" : ""}`,
    );
    return { user: await adminUser(trx, input.mobile) };
  });
}
