import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import type { AccessClaims } from "../ports";
import { forgetSessions } from "./session";

/**
 * Signs out this token (its id is kept in revoked_tokens until it would have expired anyway), or every
 * token of the user (`all`: the token version rises). A token from before token ids has no id of its
 * own, so signing it out signs out everywhere.
 */
export async function logout(deps: CoreDeps, claims: AccessClaims, all: boolean) {
  const everywhere = all || !claims.jti;
  const now = deps.clock.now();
  if (everywhere) {
    await deps.db
      .updateTable("users")
      .set({ token_version: sql`token_version + 1`, updated_at: now })
      .where("id", "=", claims.userId)
      .execute();
  } else {
    await deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("revoked_tokens")
        .values({ jti: claims.jti!, user_id: claims.userId, expires_at: new Date(claims.exp * 1000) })
        .onConflict((oc) => oc.column("jti").doNothing())
        .execute();
      // Expired tokens are refused by their signature check: their rows serve nothing.
      await trx.deleteFrom("revoked_tokens").where("expires_at", "<", now).execute();
    });
  }
  forgetSessions(deps, claims.userId);
  return { all: everywhere };
}
