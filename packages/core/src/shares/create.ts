import { randomUUID } from "node:crypto";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { ownedItems } from "../files/tree";
import { toUnixSeconds } from "../time";
import { expiryFrom, generateCode, scheduleExpiry } from "./shared";

/** Shares one of the caller's active files or folders. */
export async function create(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.create>) {
  const identity = randomUUID();
  const code = input.hasCode ? generateCode() : null;
  const expiredAt = expiryFrom(deps.clock.now(), input.expiredType);
  await deps.db.transaction().execute(async (trx) => {
    const [file] = await ownedItems(trx, userId, [input.fileIdentity]);
    await trx
      .insertInto("shares")
      .values({ identity, user_id: userId, file_id: file!.id, code, expired_type: input.expiredType, expired_at: expiredAt })
      .execute();
    await recordEvent(trx, "share.created", { userId, shareIdentities: [identity] });
  });
  // After commit: should scheduling fail, the share still expires on time because every read checks the time.
  await scheduleExpiry(deps, identity, expiredAt);
  return {
    identity,
    code: code ?? "",
    url: `${deps.settings.shares.publicUrl}/s/${identity}`,
    expiredTime: expiredAt ? toUnixSeconds(expiredAt) : 0,
  };
}
