import { createHash } from "node:crypto";
import { BLOB_KEY_PREFIX } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { ImageThumbnailer } from "../ports";
import { MAX_SOURCE_BYTES, SNIFF_BYTES, sniffImage, THUMBNAIL_MAX_SIDE, thumbnailKey } from "./shared";

export type ThumbnailOutcome =
  /** Written now. */
  | "made"
  /** The content already has one (deduplicated content, a duplicate notification). */
  | "exists"
  /** Not under blobs/, or not a key of new content. */
  | "ignored"
  /** The object is gone (its content was purged meanwhile). */
  | "gone"
  | "not-an-image"
  | "too-large"
  /** The bytes are not the content the key names: a copy that completion refuses (bytes that do not match the declared hash). */
  | "mismatch"
  /** A corrupt or undecodable image: acknowledged, never retried. */
  | "unreadable";

const blobKey = new RegExp(`^${BLOB_KEY_PREFIX}([0-9a-f]{64})/`);

/**
 * Makes the thumbnail of new content when its blob object is created (S3 ObjectCreated under blobs/).
 * Only images (told by their bytes) up to MAX_SOURCE_BYTES; the bytes are hashed first, so a
 * thumbnail is always of the content its key names, even when this runs before the upload's
 * completion has checked the copy (it may refuse it). Every outcome but a storage or database outage
 * is final: nothing here is worth a retry.
 */
export async function generate(deps: CoreDeps, thumbnailer: ImageThumbnailer, objectKey: string): Promise<ThumbnailOutcome> {
  const sha256 = blobKey.exec(objectKey)?.[1];
  if (!sha256) return "ignored";
  const known = await deps.db.selectFrom("thumbnails").select("sha256").where("sha256", "=", sha256).executeTakeFirst();
  if (known) return "exists";
  const stored = await deps.storage.head(objectKey);
  if (!stored) return "gone";
  if (stored.size > MAX_SOURCE_BYTES) return "too-large";
  const head = await deps.storage.readRange(objectKey, 0, Math.min(SNIFF_BYTES, stored.size));
  if (!head) return "gone";
  if (!sniffImage(head)) return "not-an-image";
  const bytes = await deps.storage.readRange(objectKey, 0, stored.size);
  if (!bytes) return "gone";
  if (createHash("sha256").update(bytes).digest("hex") !== sha256) return "mismatch";
  const thumbnail = await thumbnailer.thumbnail(bytes, THUMBNAIL_MAX_SIDE);
  if (!thumbnail) return "unreadable";
  await deps.storage.put(thumbnailKey(sha256), thumbnail.webp, "image/webp");
  await deps.db
    .insertInto("thumbnails")
    .values({ sha256, width: thumbnail.width, height: thumbnail.height })
    .onConflict((oc) => oc.column("sha256").doNothing())
    .execute();
  return "made";
}
