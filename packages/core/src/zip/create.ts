import { randomUUID } from "node:crypto";
import { type BodyOf, ZIP_KEY_PREFIX, type zipRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { addressKey } from "../client-address";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { ownedItems } from "../files/tree";
import { itemsInShare, openShare } from "../shares/access";
import { assertNotPreviewOnly, takeDownload } from "../shares/limits";
import { zipTotals } from "./entries";

type Input = BodyOf<typeof zipRoutes.create> & { clientAddress: string };

/** What the zip packs and who may follow it: the caller's own items, or items of a share. */
async function selection(deps: CoreDeps, input: Input, userId: number | undefined) {
  if (input.shareIdentity) {
    const share = await openShare(
      deps,
      { identity: input.shareIdentity, code: input.code, shareToken: input.shareToken, clientAddress: input.clientAddress },
      userId,
    );
    assertNotPreviewOnly(share);
    const fileIds = await itemsInShare(deps.db, share, input.identities ?? [share.root.identity]);
    const only = fileIds.length === 1 && fileIds[0] === share.file_id;
    return {
      ownerId: share.user_id,
      fileIds,
      share,
      single: only ? share.root.name : undefined,
      rateKey: `zip:addr:${addressKey(input.clientAddress)}`,
    };
  }
  if (userId === undefined) return fail("UNAUTHORIZED", "sign in, or name the share whose items to zip");
  const rows = await ownedItems(deps.db, userId, input.identities!);
  return {
    ownerId: userId,
    fileIds: rows.map((r) => r.id),
    share: undefined,
    single: rows.length === 1 ? rows[0]!.name : undefined,
    rateKey: `zip:user:${userId}`,
  };
}

/** "Photos.zip" for one item; several are named after the time they were packed. */
const zipName = (single: string | undefined, now: Date) =>
  `${single ?? `Polaris ${now.toISOString().slice(0, 19).replace("T", " ").replace(/:/g, "-")}`}.zip`;

/**
 * Starts a zip job: checks the selection against the limits (413 with both numbers), takes one of
 * the share's downloads when it is a share's, and records `zip.requested`, which the zip worker
 * consumes once the transaction committed. The job's id is all the caller needs to follow it.
 */
export async function create(deps: CoreDeps, input: Input, userId: number | undefined) {
  const picked = await selection(deps, input, userId);
  const limits = deps.settings.zip;
  const totals = await zipTotals(deps.db, picked.ownerId, picked.fileIds);
  if (totals.bytes > limits.maxBytes || totals.entries > limits.maxEntries)
    fail(
      "ZIP_TOO_LARGE",
      `the selection holds ${totals.bytes} bytes in ${totals.entries} items; a zip may hold at most ${limits.maxBytes} bytes and ${limits.maxEntries} items`,
      { maxBytes: limits.maxBytes, maxEntries: limits.maxEntries },
    );
  if (!(await deps.rateLimiter.take(picked.rateKey, limits.jobsPerHour, 3600)))
    fail("TOO_MANY_REQUESTS", `at most ${limits.jobsPerHour} zips an hour; try again later`);
  if (picked.share) await takeDownload(deps.db, picked.share);
  const identity = randomUUID();
  const now = deps.clock.now();
  const name = zipName(picked.single, now);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("zip_jobs")
      .values({
        identity,
        user_id: picked.share ? null : userId!,
        share_id: picked.share?.id ?? null,
        owner_id: picked.ownerId,
        file_ids: picked.fileIds,
        name,
        total_bytes: totals.bytes,
        total_entries: totals.entries,
        object_key: `${ZIP_KEY_PREFIX}${identity}.zip`,
      })
      .execute();
    await recordEvent(trx, "zip.requested", { jobId: identity });
  });
  return {
    id: identity,
    name,
    status: "pending" as const,
    totalBytes: totals.bytes,
    totalEntries: totals.entries,
    doneBytes: 0,
    doneEntries: 0,
  };
}
