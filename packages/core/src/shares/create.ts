import { randomUUID } from "node:crypto";
import type { BodyOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { recordEvent } from "../events";
import { ownedItems } from "../files/tree";
import { toUnixSeconds } from "../time";
import { generateCode, requestedExpiry, scheduleExpiry } from "./shared";

/** Shares one of the caller's active files or folders, with the limits asked for. */
export async function create(deps: CoreDeps, userId: number, input: BodyOf<typeof shareRoutes.create>) {
  const identity = randomUUID();
  const code = input.hasCode ? generateCode() : null;
  // The schema admits exactly one of expiredType and expireAt.
  const expiry = requestedExpiry(deps.clock.now(), input)!;
  await deps.db.transaction().execute(async (trx) => {
    const [file] = await ownedItems(trx, userId, [input.fileIdentity]);
    await trx
      .insertInto("shares")
      .values({
        identity,
        user_id: userId,
        file_id: file!.id,
        code,
        ...expiry,
        download_limit: input.downloadLimit ?? null,
        view_limit: input.viewLimit ?? null,
        preview_only: input.previewOnly ?? false,
      })
      .execute();
    await recordEvent(trx, "share.created", { userId, shareIdentities: [identity] });
  });
  // After commit: should scheduling fail, the share still expires on time because every read checks the time.
  await scheduleExpiry(deps, identity, expiry.expired_at);
  return {
    identity,
    code: code ?? "",
    url: `${deps.settings.shares.publicUrl}/s/${identity}`,
    expiredTime: expiry.expired_at ? toUnixSeconds(expiry.expired_at) : 0,
  };
}
