/** Where a content's thumbnail lives: by SHA-256, so deduplicated content has one. No notification watches this prefix. */
export const thumbnailKey = (sha256: string) => `thumbnails/${sha256}.webp`;

/** The longest side of a thumbnail, in pixels (a 2× grid tile). */
export const THUMBNAIL_MAX_SIDE = 256;

/** Larger images get no thumbnail: the consumer holds the whole image in memory to decode it. */
export const MAX_SOURCE_BYTES = 40 * 1024 * 1024;

const startsWith = (bytes: Uint8Array, offset: number, ascii: string) => [...ascii].every((c, i) => bytes[offset + i] === c.charCodeAt(0));

/**
 * The image formats thumbnails are made of, told by their first bytes (the declared type and the name
 * are the uploader's word): JPEG, PNG, GIF, WebP, and HEIF/AVIF brands, which sharp reads where its
 * libvips was built with the codec (npm's prebuilt one reads AVIF, not HEVC-coded HEIC).
 */
export function sniffImage(head: Uint8Array): "jpeg" | "png" | "gif" | "webp" | "heif" | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (head[0] === 0x89 && startsWith(head, 1, "PNG\r\n\u001a\n")) return "png";
  if (startsWith(head, 0, "GIF87a") || startsWith(head, 0, "GIF89a")) return "gif";
  if (startsWith(head, 0, "RIFF") && startsWith(head, 8, "WEBP")) return "webp";
  if (startsWith(head, 4, "ftyp") && ["heic", "heix", "hevc", "mif1", "msf1", "avif"].some((brand) => startsWith(head, 8, brand)))
    return "heif";
  return null;
}

/** Bytes that tell an image's format. */
export const SNIFF_BYTES = 16;
