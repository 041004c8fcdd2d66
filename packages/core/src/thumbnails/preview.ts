import type { PreviewKind } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { itemsInShare, openShare, type ShareAccess } from "../shares/access";
import { toUnixSeconds } from "../time";

/** Raster images a browser draws as pictures: no script can run in one (SVG can, and is not here). */
const IMAGES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
};
const AUDIO: Record<string, string> = {
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  aac: "audio/aac",
  oga: "audio/ogg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  wav: "audio/wav",
  flac: "audio/flac",
  weba: "audio/webm",
};
const VIDEO: Record<string, string> = { mp4: "video/mp4", m4v: "video/mp4", webm: "video/webm", ogv: "video/ogg", mov: "video/quicktime" };
/**
 * Text shown as highlighted source, never rendered: HTML and SVG are answered as text/plain, so
 * their markup is read, not run. The console fetches at most the first TEXT_PREVIEW_BYTES.
 */
const TEXT = new Set(
  (
    "txt text md markdown log csv tsv json jsonl yaml yml toml ini cfg conf env properties xml html htm svg css scss less " +
    "js mjs cjs jsx ts mts cts tsx vue py rb go rs java kt kts scala swift c h cc cpp hpp cs php pl lua r dart sql sh bash zsh " +
    "ps1 bat dockerfile makefile gradle diff patch srt vtt tex gitignore"
  ).split(" "),
);

/**
 * What a preview shows and the type its URL answers with, from the name's extension (then the
 * declared type, for names without one). Only types that cannot run script are inline; anything
 * else (HTML rendered, SVG drawn, executables, unknown types) has no preview.
 */
export function previewOf(ext: string, mimeType: string): { kind: PreviewKind; contentType: string } | null {
  const e = ext.toLowerCase();
  if (IMAGES[e]) return { kind: "image", contentType: IMAGES[e] };
  if (e === "pdf") return { kind: "pdf", contentType: "application/pdf" };
  if (AUDIO[e]) return { kind: "audio", contentType: AUDIO[e] };
  if (VIDEO[e]) return { kind: "video", contentType: VIDEO[e] };
  if (TEXT.has(e)) return { kind: "text", contentType: "text/plain; charset=utf-8" };
  if (e) return null;
  const byType = Object.entries({ ...IMAGES, ...AUDIO, ...VIDEO, pdf: "application/pdf" }).find(([, type]) => type === mimeType);
  if (byType) return previewOf(byType[0], "");
  return mimeType.startsWith("text/plain") ? { kind: "text", contentType: "text/plain; charset=utf-8" } : null;
}

type PreviewRow = { name: string; ext: string; mime_type: string; size: number; object_key: string };

async function presignedPreview(deps: CoreDeps, row: PreviewRow | undefined) {
  if (!row) return fail("FILE_NOT_FOUND");
  const preview = previewOf(row.ext, row.mime_type);
  if (!preview)
    return fail("PREVIEW_UNSUPPORTED", `no preview for this type of file (${row.ext ? `.${row.ext}` : row.mime_type || "unknown type"})`);
  const expiresInSeconds = deps.settings.files.presignExpiresSeconds;
  const url = await deps.storage.presignGet(row.object_key, {
    fileName: row.name,
    contentType: preview.contentType,
    expiresInSeconds,
    inline: true,
  });
  return {
    kind: preview.kind,
    url,
    contentType: preview.contentType,
    size: Number(row.size),
    expiresAt: toUnixSeconds(deps.clock.now()) + expiresInSeconds,
  };
}

const previewColumns = ["files.name", "files.ext", "files.mime_type", "files.size", "blobs.object_key"] as const;

/** An inline URL to preview one of the user's active files, for the kinds a browser shows safely. */
export async function preview(deps: CoreDeps, userId: number, identity: string) {
  const row = await deps.db
    .selectFrom("files")
    .innerJoin("blobs", "blobs.sha256", "files.blob_sha256")
    .select(previewColumns)
    .where("files.identity", "=", identity)
    .where("files.user_id", "=", userId)
    .where("files.status", "=", "active")
    .where("files.is_dir", "=", false)
    .executeTakeFirst();
  return presignedPreview(deps, row);
}

/** The same for a file inside a share (the shared file itself without fileIdentity); preview-only shares preview too. */
export async function sharePreview(deps: CoreDeps, query: ShareAccess & { fileIdentity?: string }) {
  const share = await openShare(deps, query);
  const [fileId] = await itemsInShare(deps.db, share, [query.fileIdentity ?? share.root.identity], false);
  const row = await deps.db
    .selectFrom("files")
    .innerJoin("blobs", "blobs.sha256", "files.blob_sha256")
    .select(previewColumns)
    .where("files.id", "=", fileId!)
    .executeTakeFirst();
  return presignedPreview(deps, row);
}
