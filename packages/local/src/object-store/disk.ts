import { createHash, randomBytes, randomUUID, type Hash } from "node:crypto";
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

/**
 * A part's ETag: opaque and new for every write that stores a part (its bytes are hashed only
 * into the whole object's SHA-256, later), so CompleteMultipartUpload names exactly the writes
 * the client was answered for, and an ETag from an earlier write of the part is InvalidPart.
 */
export const newPartEtag = () => `"${randomBytes(16).toString("hex")}"`;

/**
 * The SHA-256 of a multipart upload's parts 1, 2, … in order, computed while the upload goes on:
 * each time the next part in line is stored, it is read back (from the page cache, just written)
 * and hashed, so CompleteMultipartUpload finds the whole object's SHA-256 done, or nearly. Parts
 * arrive out of order (the console sends 3 at once): a part waits until those before it are in.
 * Kept in memory only: after a restart, on a part replaced after it was hashed, or when Complete
 * names other parts than those hashed, completion reads the parts again (`wholeSha256`).
 */
interface PartChain {
  hash: Hash;
  /** The part files hashed so far, in part order (part n at index n - 1). */
  hashed: { file: string; size: number }[];
  /** The stored parts by number, as putPart recorded them (and, for earlier ones, the disk). */
  stored: Map<number, { file: string; size: number }>;
  /** The hashing in progress, if any (it looks for the next part again after each one). */
  running: Promise<void> | null;
}
/** Uploads whose chains are kept (the oldest is dropped beyond: its completion reads the parts). */
const MAX_CHAINS = 1000;
/**
 * Parts are read back for hashing this much at a time: each read waits its turn on the event loop
 * behind the bodies still arriving, so small reads left the hashing far behind the upload.
 */
const HASH_READ_BYTES = 4 * 1024 * 1024;
let spareReadBuffer: Buffer | null = null;
const takeReadBuffer = () => {
  const buffer = spareReadBuffer ?? Buffer.allocUnsafeSlow(HASH_READ_BYTES);
  spareReadBuffer = null;
  return buffer;
};
const giveReadBuffer = (buffer: Buffer) => void (spareReadBuffer = buffer);

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
  private readonly chains = new Map<string, PartChain>();

  constructor(
    root: string,
    readonly name: string,
  ) {
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
  async commit(
    key: string,
    meta: Omit<ObjectMeta, "key" | "data" | "lastModified">,
    files: { path: string; size: number }[],
    options: { ifNoneMatch?: boolean } = {},
  ) {
    return this.exclusive(`object:${key}`, async () => {
      const old = await this.head(key);
      if (old && options.ifNoneMatch)
        throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
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
            for await (const chunk of createReadStream("", {
              fd: handle,
              start: from,
              end: to,
              autoClose: false,
              highWaterMark: 1024 * 1024,
            })) {
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
    if (!/^[0-9a-f]{32}$/.test(uploadId))
      throw new S3Error(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      );
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
    if (!meta || meta.key !== key)
      throw new S3Error(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      );
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
        if (isMissing(error))
          throw new S3Error(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
          );
        throw error;
      }
      const old = await readJson<PartMeta>(join(dir, `${part.partNumber}.json`));
      const meta: PartMeta = { ...part, file, lastModified: new Date().toISOString() };
      await this.writeAtomically(join(dir, `${part.partNumber}.json`), JSON.stringify(meta));
      this.partStored(uploadId, meta);
      if (old) await unlink(join(dir, old.file)).catch(() => undefined);
      return meta;
    });
  }

  /** Records a stored part in its upload's chain and hashes whatever is now next in line. */
  private partStored(uploadId: string, part: PartMeta) {
    let chain = this.chains.get(uploadId);
    if (chain && part.partNumber <= chain.hashed.length) {
      // A part already hashed was replaced: start over (in the background, from part 1).
      this.chains.delete(uploadId);
      chain = undefined;
    }
    if (!chain) {
      chain = { hash: createHash("sha256"), hashed: [], stored: new Map(), running: null };
      if (this.chains.size >= MAX_CHAINS) this.chains.delete(this.chains.keys().next().value!);
      this.chains.set(uploadId, chain);
      const fresh = chain;
      // Parts stored before this process started (or before the chain was dropped) are on disk.
      void this.parts(uploadId).then(
        (parts) => {
          for (const p of parts) if (!fresh.stored.has(p.partNumber)) fresh.stored.set(p.partNumber, { file: p.file, size: p.size });
          void this.hashParts(uploadId, fresh);
        },
        () => undefined,
      );
    }
    chain.stored.set(part.partNumber, { file: part.file, size: part.size });
    void this.hashParts(uploadId, chain);
  }

  /** Hashes the parts next in line, one after another, until the next one is not stored yet. */
  private hashParts(uploadId: string, chain: PartChain): Promise<void> {
    if (chain.running) return chain.running;
    if (!chain.stored.has(chain.hashed.length + 1)) return Promise.resolve();
    chain.running = (async () => {
      // Yield first: `running` is set before this can end (and clear it).
      await Promise.resolve();
      const block = takeReadBuffer();
      try {
        for (;;) {
          const number = chain.hashed.length + 1;
          const part = chain.stored.get(number);
          // Nothing next in line (a part stored from now on starts a new run), or the chain was dropped.
          if (!part || this.chains.get(uploadId) !== chain) return;
          const before = chain.hash.copy();
          let size = 0;
          let handle: FileHandle | null = null;
          try {
            handle = await open(join(this.uploadDir(uploadId), part.file), "r");
            for (;;) {
              const { bytesRead } = await handle.read(block, 0, block.length, size);
              if (bytesRead === 0) break;
              chain.hash.update(block.subarray(0, bytesRead));
              size += bytesRead;
            }
          } catch {
            size = -1;
          } finally {
            await handle?.close().catch(() => undefined);
          }
          // Replaced while it was read: undo, and hash what is stored now.
          if (chain.stored.get(number)?.file !== part.file) {
            chain.hash = before;
            continue;
          }
          // Gone (aborted, completed) or not the size it was stored with: stop here.
          if (size !== part.size) {
            chain.hash = before;
            return;
          }
          chain.hashed.push(part);
        }
      } catch {
        // Not expected; the completion reads the parts itself.
        if (this.chains.get(uploadId) === chain) this.chains.delete(uploadId);
      } finally {
        giveReadBuffer(block);
        chain.running = null;
      }
    })();
    return chain.running;
  }

  /**
   * The base64 SHA-256 of `parts` (a completion's, in order) one after another: from the upload's
   * chain when it hashed exactly these part files, after it caught up; else by reading them.
   */
  async wholeSha256(uploadId: string, parts: PartMeta[]): Promise<string> {
    const chain = this.chains.get(uploadId);
    if (chain && parts.every((p, i) => p.partNumber === i + 1)) {
      await this.hashParts(uploadId, chain);
      while (chain.running) await chain.running;
      const same =
        chain.hashed.length === parts.length && parts.every((p, i) => chain.hashed[i].file === p.file && chain.hashed[i].size === p.size);
      if (same && this.chains.get(uploadId) === chain) return chain.hash.copy().digest("base64");
    }
    const whole = createHash("sha256");
    const block = takeReadBuffer();
    try {
      for (const part of parts) {
        const handle = await open(this.partPath(uploadId, part), "r");
        try {
          for (let at = 0; ; ) {
            const { bytesRead } = await handle.read(block, 0, block.length, at);
            if (bytesRead === 0) break;
            whole.update(block.subarray(0, bytesRead));
            at += bytesRead;
          }
        } finally {
          await handle.close();
        }
      }
    } finally {
      giveReadBuffer(block);
    }
    return whole.digest("base64");
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
    await this.exclusive(`upload:${uploadId}`, () => {
      this.chains.delete(uploadId);
      return rm(this.uploadDir(uploadId), { recursive: true, force: true });
    });
  }

  /** Turns the chosen parts into the object (their files become its data: nothing is copied) and ends the upload. */
  async completeUpload(
    uploadId: string,
    work: () => Promise<{ key: string; meta: Omit<ObjectMeta, "key" | "data" | "lastModified">; parts: PartMeta[] }>,
  ) {
    return this.exclusive(`upload:${uploadId}`, async () => {
      const { key, meta, parts } = await work();
      const files = [];
      for (const part of parts) {
        const path = this.tempFile();
        await rename(this.partPath(uploadId, part), path);
        files.push({ path, size: part.size });
      }
      const committed = await this.commit(key, meta, files);
      this.chains.delete(uploadId);
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
