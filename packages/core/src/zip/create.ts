import { randomUUID } from "node:crypto";
import { type BodyOf, type shareRoutes, ZIP_KEY_PREFIX, type ZipJob, type zipRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { addressKey } from "../client-address";
import { fail } from "../errors";
import { recordEvent } from "../events";
import { ownedItems } from "../files/tree";
import { itemsInShare, openShare } from "../shares/access";
import { assertNotPreviewOnly, takeDownload } from "../shares/limits";
import { zipTotals } from "./entries";

/** What a job packs (roots of subtrees of `ownerId`'s drive) and who may follow it. */
interface Selection {
  ownerId: number;
  fileIds: number[];
  /** The follower: the user who asked, or the share's visitors. */
  userId: number | null;
  share: { id: number; download_limit: number | null } | null;
  /** The item's name when the zip holds one item: the zip is named after it. */
  single: string | undefined;
  /** The per-hour ceiling's key. */
  rateKey: string;
}

/** "Photos.zip" for one item; several are named after the time they were packed. */
const zipName = (single: string | undefined, now: Date) =>
  `${single ?? `Polaris ${now.toISOString().slice(0, 19).replace("T", " ").replace(/:/g, "-")}`}.zip`;

/**
 * Starts a zip job: checks the selection against the limits (413 with both numbers), takes one of
 * the share's downloads when it is a share's, and records `zip.requested`, which the zip worker
 * consumes once the transaction committed. The job's id is all the caller needs to follow it.
 */
async function start(deps: CoreDeps, picked: Selection): Promise<ZipJob> {
  const limits = deps.settings.zip;
  const totals = await zipTotals(deps.db, picked.ownerId, picked.fileIds);
  if (totals.bytes > limits.maxBytes || totals.entries > limits.maxEntries)
    fail(
      "ZIP_TOO_LARGE",
      `the selection holds ${totals.bytes} bytes in ${totals.entries} items; a zip may hold at most ${limits.maxBytes} bytes and ${limits.maxEntries} items`,
    );
  if (!(await deps.rateLimiter.take(picked.rateKey, limits.jobsPerHour, 3600)))
    fail("TOO_MANY_REQUESTS", `at most ${limits.jobsPerHour} zips an hour; try again later`);
  if (picked.share) await takeDownload(deps.db, picked.share);
  const identity = randomUUID();
  const name = zipName(picked.single, deps.clock.now());
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("zip_jobs")
      .values({
        identity,
        user_id: picked.userId,
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
  return { id: identity, name, status: "pending", totalBytes: totals.bytes, totalEntries: totals.entries, doneBytes: 0, doneEntries: 0 };
}

/** A zip of the caller's own items; anyone else's is as missing as one nobody has. */
export async function create(deps: CoreDeps, userId: number, input: BodyOf<typeof zipRoutes.create>) {
  const rows = await ownedItems(deps.db, userId, input.identities);
  return start(deps, {
    ownerId: userId,
    fileIds: rows.map((r) => r.id),
    userId,
    share: null,
    single: rows.length === 1 ? rows[0]!.name : undefined,
    rateKey: `zip:user:${userId}`,
  });
}

/** A zip of items of a share, for its visitors (code or share token, as on its other endpoints); one download of its limit. */
export async function createForShare(deps: CoreDeps, input: BodyOf<typeof shareRoutes.zip> & { clientAddress: string }) {
  const share = await openShare(deps, input);
  assertNotPreviewOnly(share);
  const fileIds = await itemsInShare(deps.db, share, input.fileIdentities ?? [share.root.identity]);
  return start(deps, {
    ownerId: share.user_id,
    fileIds,
    userId: null,
    share,
    single: fileIds.length === 1 && fileIds[0] === share.file_id ? share.root.name : undefined,
    rateKey: `zip:addr:${addressKey(input.clientAddress)}`,
  });
}
