import sharp from "sharp";
import type { ImageThumbnailer } from "@polaris/core";

/** Input pixels sharp may decode (~50 megapixels, a 7000×7000 photo): a decompression bomb is refused, not drawn. */
const MAX_INPUT_PIXELS = 50_000_000;

/**
 * Thumbnails with sharp (libvips, prebuilt binaries from npm): the first frame of an animation,
 * turned as its EXIF orientation says, fitted inside `maxSide`, never enlarged, as WebP.
 */
export function createSharpThumbnailer(): ImageThumbnailer {
  // One image at a time per process: libvips' own threads already use the cores.
  sharp.concurrency(1);
  return {
    async thumbnail(image, maxSide) {
      try {
        const { data, info } = await sharp(image, { limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" })
          .rotate()
          .resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 75, effort: 2 })
          .toBuffer({ resolveWithObject: true });
        return { webp: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
      } catch {
        // Corrupt, truncated or too large: there is no thumbnail to make, and retrying would not make one.
        return null;
      }
    },
  };
}
