import { once } from "node:events";
import { Readable } from "node:stream";
import { ZipArchive } from "archiver";
import type { ObjectStorage } from "../ports";
import type { ZipEntry } from "./entries";

/** S3's smallest part (but the last) and its most parts. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface ZipProgress {
  bytes: number;
  entries: number;
}

/**
 * Streams the entries into a zip (stored, not deflated: drive files are mostly compressed already,
 * and storing runs at the speed of the network) and uploads it as parts of a multipart upload. One
 * object is read at a time, and reading waits while a part uploads, so memory holds about one part
 * whatever the zip's size. archiver writes ZIP64 records once the zip passes 4 GiB or 65,535
 * entries, and flags every name as UTF-8. Objects gone since the job was made are left out.
 * The CRC-32 that every entry needs is archiver's (JavaScript): it, not the network, bounds the speed.
 */
export async function writeZip(
  storage: ObjectStorage,
  target: { key: string; uploadId: string },
  entries: ZipEntry[],
  options: { partBytes: number; totalBytes: number; onProgress(progress: ZipProgress): Promise<void> },
) {
  const partBytes = Math.max(MIN_PART_BYTES, options.partBytes, Math.ceil(options.totalBytes / (MAX_PARTS - 100)));
  const archive = new ZipArchive({ store: true });
  const parts: { partNumber: number; etag: string }[] = [];

  // One part's buffer, filled and sent again and again: the zip's bytes never pile up in memory.
  const part = Buffer.allocUnsafe(partBytes);
  const upload = (async () => {
    let filled = 0;
    const flush = async () => {
      const partNumber = parts.length + 1;
      parts.push({ partNumber, etag: await storage.uploadPart(target.key, target.uploadId, partNumber, part.subarray(0, filled)) });
      filled = 0;
    };
    for await (const chunk of archive as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length; ) {
        const n = Math.min(chunk.length - offset, partBytes - filled);
        chunk.copy(part, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === partBytes) await flush();
      }
    }
    // An empty zip is still one (small) part.
    if (filled > 0 || parts.length === 0) await flush();
  })();
  // A failed upload stops the archive, so the feeding below fails instead of waiting for a reader.
  upload.catch((error) => archive.destroy(error));

  const feed = async () => {
    const progress = { bytes: 0, entries: 0 };
    for (const entry of entries) {
      const source = entry.isDir ? Buffer.alloc(0) : entry.objectKey ? await storage.readStream(entry.objectKey) : null;
      if (source) {
        const written = once(archive, "entry");
        archive.append(Buffer.isBuffer(source) ? source : Readable.from(source, { objectMode: false }), {
          name: entry.name,
          date: entry.date,
        });
        await written;
      }
      progress.bytes += entry.isDir ? 0 : entry.size;
      progress.entries++;
      await options.onProgress(progress);
    }
    await archive.finalize();
  };
  const fed = feed().catch((error) => {
    archive.destroy(error);
    throw error;
  });
  await Promise.all([fed, upload]);
  return { parts, zipBytes: archive.pointer() };
}
