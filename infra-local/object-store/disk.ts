import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import type { ChecksumAlgorithm } from "./body";
import { S3Error } from "./errors";

/** What S3 reports about an object's checksum (HEAD/GET with checksum mode). */
export interface ReportedChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: "FULL_OBJECT" | "COMPOSITE";
}

export interface ObjectMeta {
  key: string;
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  lastModified: string;
  contentType: string;
  /** x-amz-meta-* headers, lower-case names without the prefix. */
  metadata: Record<string, string>;
  /** The data files, in order (one for a PUT, one per part for a multipart object). */
  data: { file: string; size: number }[];
  /** Base64 SHA-256 of the whole object, always known; reported only as `checksum` says. */
  sha256: string;
  checksum?: ReportedChecksum;
}

export interface UploadMeta {
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: string;
  checksumAlgorithm?: ChecksumAlgorithm;
}

export interface PartMeta {
  partNumber: number;
  file: string;
  size: number;
  etag: string;
  lastModified: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/** An opaque ETag derived from the SHA-256 the store computes anyway (S3's MD5 would be a second hash). */
export const etagOf = (sha256Base64: string) => `"${Buffer.from(sha256Base64, "base64").subarray(0, 16).toString("hex")}"`;

const hex = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException)?.code === "ENOENT";
const readJson = async <T>(path: string): Promise<T | null> => {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
};

/**
 * One bucket on disk. A key never becomes a path: its metadata file is named by the key's SHA-256,
 * so no key (`../x`, `%2F..`, anything) can address a file outside the bucket's folder. Every write
 * lands in `tmp/` first and is renamed into place once whole, so an interrupted request stores
 * nothing; an object's metadata is replaced by one rename, so readers see the old or the new
 * object, never a mix.
 */
export class DiskBucket {
  private readonly objects: string;
  private readonly dataDir: string;
  private readonly uploadsDir: string;
  private readonly tmpDir: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private keyIndex: Set<string> | null = null;

  constructor(root: string, readonly name: string) {
    this.objects = join(root, name, "objects");
    this.dataDir = join(root, name, "data");
    this.uploadsDir = join(root, name, "uploads");
    this.tmpDir = join(root, name, "tmp");
  }

  async init() {
    // Whatever a crash left half-written is not an object: start with an empty tmp/.
    await rm(this.tmpDir, { recursive: true, force: true });
    await Promise.all([this.objects, this.dataDir, this.uploadsDir, this.tmpDir].map((d) => mkdir(d, { recursive: true })));
  }

  tempFile() {
    return join(this.tmpDir, randomUUID());
  }

  /** Runs `work` alone for `name`: a check-then-write on one key (conditional PUT, completion) is atomic. */
  private async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.locks.set(name, current);
    try {
      return await current;
    } finally {
      if (this.locks.get(name) === current) this.locks.delete(name);
    }
  }

  private metaPath(key: string) {
    const h = hex(key);
    return join(this.objects, h.slice(0, 2), `${h}.json`);
  }

  head(key: string) {
    return readJson<ObjectMeta>(this.metaPath(key));
  }

  /** Moves finished temp files into data/ and makes them the object `key` (replacing any old one). */
  async commit(key: string, meta: Omit<ObjectMeta, "key" | "data" | "lastModified">, files: { path: string; size: number }[], options: { ifNoneMatch?: boolean } = {}) {
    return this.exclusive(`object:${key}`, async () => {
      const old = await this.head(key);
      if (old && options.ifNoneMatch) throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      const data = [];
      for (const f of files) {
        const name = randomUUID();
        await rename(f.path, join(this.dataDir, name));
        data.push({ file: name, size: f.size });
      }
      const full: ObjectMeta = { ...meta, key, data, lastModified: new Date().toISOString() };
      await this.writeMeta(key, full);
      if (old) await this.dropData(old);
      this.keyIndex?.add(key);
      return full;
    });
  }

  /** A server-side copy: hard links, so no byte is copied and the copy never changes with its source. */
  async copy(source: ObjectMeta, key: string, changes: Partial<ObjectMeta>, options: { ifNoneMatch?: boolean } = {}) {
    const files = [];
    for (const d of source.data) {
      const path = this.tempFile();
      try {
        await link(join(this.dataDir, d.file), path);
      } catch (error) {
        // The source was replaced or deleted since it was read.
        if (isMissing(error)) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
        throw error;
      }
      files.push({ path, size: d.size });
    }
    const { key: _k, data: _d, lastModified: _l, ...rest } = source;
    return this.commit(key, { ...rest, ...changes }, files, options);
  }

  async delete(key: string) {
    await this.exclusive(`object:${key}`, async () => {
      const old = await this.head(key);
      if (!old) return;
      await unlink(this.metaPath(key)).catch((e) => (isMissing(e) ? undefined : Promise.reject(e)));
      await this.dropData(old);
      this.keyIndex?.delete(key);
    });
  }

  /**
   * A readable over the object's bytes `[start, end]`. Every data file is opened first, so a
   * concurrent overwrite or delete (which unlinks the files) cannot cut the answer short.
   */
  async openRead(meta: ObjectMeta, start = 0, end = meta.size - 1): Promise<Readable> {
    const handles: { handle: FileHandle; size: number }[] = [];
    try {
      for (const d of meta.data) handles.push({ handle: await open(join(this.dataDir, d.file), "r"), size: d.size });
    } catch (error) {
      await Promise.all(handles.map((h) => h.handle.close()));
      if (isMissing(error)) throw new S3Error(404, "NoSuchKey", "The specified key does not exist.");
      throw error;
    }
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    void (async () => {
      let offset = 0;
      try {
        for (const { handle, size } of handles) {
          const from = Math.max(start - offset, 0);
          const to = Math.min(end - offset, size - 1);
          if (from <= to) {
            for await (const chunk of createReadStream("", { fd: handle, start: from, end: to, autoClose: false, highWaterMark: 1024 * 1024 })) {
              if (!out.write(chunk)) await new Promise((resolve) => out.once("drain", resolve));
              if (out.destroyed) return;
            }
          }
          offset += size;
        }
        out.end();
      } catch (error) {
        out.destroy(error as Error);
      } finally {
        await Promise.all(handles.map((h) => h.handle.close().catch(() => undefined)));
      }
    })();
    return out;
  }

  /** Keys in byte order, for listing; the index is read from disk on first use and kept up to date. */
  async keys(): Promise<string[]> {
    if (!this.keyIndex) {
      const index = new Set<string>();
      for (const dir of await readdir(this.objects)) {
        for (const file of await readdir(join(this.objects, dir))) {
          const meta = await readJson<ObjectMeta>(join(this.objects, dir, file));
          if (meta) index.add(meta.key);
        }
      }
      this.keyIndex ??= index;
    }
    return [...this.keyIndex].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  // Multipart uploads: uploads/<id>/upload.json, a <n>.json per part naming its data file.

  private uploadDir(uploadId: string) {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new S3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
    return join(this.uploadsDir, uploadId);
  }

  async createUpload(meta: UploadMeta) {
    const uploadId = randomBytes(16).toString("hex");
    const dir = this.uploadDir(uploadId);
    await mkdir(dir);
    await writeFile(join(dir, "upload.json"), JSON.stringify(meta));
    return uploadId;
  }

  async upload(uploadId: string, key: string) {
    const meta = await readJson<UploadMeta>(join(this.uploadDir(uploadId), "upload.json"));
    if (!meta || meta.key !== key) throw new S3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
    return meta;
  }

  async putPart(uploadId: string, part: Omit<PartMeta, "file" | "lastModified">, tempPath: string) {
    const dir = this.uploadDir(uploadId);
    return this.exclusive(`part:${uploadId}:${part.partNumber}`, async () => {
      const file = randomUUID();
      try {
        await rename(tempPath, join(dir, file));
      } catch (error) {
        await unlink(tempPath).catch(() => undefined);
        if (isMissing(error)) throw new S3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
        throw error;
      }
      const old = await readJson<PartMeta>(join(dir, `${part.partNumber}.json`));
      const meta: PartMeta = { ...part, file, lastModified: new Date().toISOString() };
      await this.writeAtomically(join(dir, `${part.partNumber}.json`), JSON.stringify(meta));
      if (old) await unlink(join(dir, old.file)).catch(() => undefined);
      return meta;
    });
  }

  async parts(uploadId: string): Promise<PartMeta[]> {
    const dir = this.uploadDir(uploadId);
    const names = (await readdir(dir).catch(() => [])).filter((f) => /^\d+\.json$/.test(f));
    const parts = await Promise.all(names.map((n) => readJson<PartMeta>(join(dir, n))));
    return parts.filter((p): p is PartMeta => p !== null).sort((a, b) => a.partNumber - b.partNumber);
  }

  partPath(uploadId: string, part: PartMeta) {
    return join(this.uploadDir(uploadId), part.file);
  }

  async abort(uploadId: string) {
    await this.exclusive(`upload:${uploadId}`, () => rm(this.uploadDir(uploadId), { recursive: true, force: true }));
  }

  /** Turns the chosen parts into the object (their files become its data: nothing is copied) and ends the upload. */
  async completeUpload(uploadId: string, work: () => Promise<{ key: string; meta: Omit<ObjectMeta, "key" | "data" | "lastModified">; parts: PartMeta[] }>) {
    return this.exclusive(`upload:${uploadId}`, async () => {
      const { key, meta, parts } = await work();
      const files = [];
      for (const part of parts) {
        const path = this.tempFile();
        await rename(this.partPath(uploadId, part), path);
        files.push({ path, size: part.size });
      }
      const committed = await this.commit(key, meta, files);
      await rm(this.uploadDir(uploadId), { recursive: true, force: true });
      return committed;
    });
  }

  private async writeMeta(key: string, meta: ObjectMeta) {
    const path = this.metaPath(key);
    await mkdir(join(path, ".."), { recursive: true });
    await this.writeAtomically(path, JSON.stringify(meta));
  }

  private async writeAtomically(path: string, text: string) {
    const temp = this.tempFile();
    await writeFile(temp, text);
    await rename(temp, path);
  }

  private async dropData(meta: ObjectMeta) {
    await Promise.all(meta.data.map((d) => unlink(join(this.dataDir, d.file)).catch(() => undefined)));
  }
}
