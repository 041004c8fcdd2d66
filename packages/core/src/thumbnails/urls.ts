import type { FileItem } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { ObjectStorage } from "../ports";
import { toFileItem } from "../files/tree";
import { thumbnailKey } from "./shared";

/**
 * Thumbnail URLs are signed at the start of a 10-minute window: within it a content's URL is the same
 * string, so browsers keep the image cached across lists, and each process signs a URL once per
 * window (a SigV4 presign costs ~0.4 ms: 100 of them would double a list's time).
 */
const WINDOW_MS = 10 * 60 * 1000;
const MAX_CACHED = 20_000;
const signed = new WeakMap<ObjectStorage, { window: number; urls: Map<string, string> }>();

async function thumbnailUrl(deps: CoreDeps, sha256: string): Promise<string> {
  const window = Math.floor(deps.clock.now().getTime() / WINDOW_MS) * WINDOW_MS;
  let cache = signed.get(deps.storage);
  if (!cache || cache.window !== window || cache.urls.size >= MAX_CACHED) signed.set(deps.storage, (cache = { window, urls: new Map() }));
  let url = cache.urls.get(sha256);
  if (!url) {
    url = await deps.storage.presignGet(thumbnailKey(sha256), {
      fileName: "thumbnail.webp",
      contentType: "image/webp",
      // Signed up to a window ago: still valid for the configured lifetime from now.
      expiresInSeconds: deps.settings.files.presignExpiresSeconds + WINDOW_MS / 1000,
      inline: true,
      signedAt: new Date(window),
    });
    cache.urls.set(sha256, url);
  }
  return url;
}

type RowWithThumbnail = Parameters<typeof toFileItem>[0] & { thumbnail_sha256?: string | null };

/** FileItems of rows from fileItemQuery, with `thumbnailUrl` where the content has a thumbnail. */
export function fileItemsOf(deps: CoreDeps, rows: RowWithThumbnail[]): Promise<FileItem[]> {
  return Promise.all(
    rows.map(async (row) =>
      row.thumbnail_sha256 && !row.is_dir
        ? { ...toFileItem(row), thumbnailUrl: await thumbnailUrl(deps, row.thumbnail_sha256) }
        : toFileItem(row),
    ),
  );
}
