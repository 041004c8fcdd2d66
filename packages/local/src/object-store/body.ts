import { createHash, type Hash } from "node:crypto";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { finished, Transform, type Readable, type TransformCallback } from "node:stream";
import * as zlib from "node:zlib";
import { S3Error } from "./errors";

/** Checksum algorithms this store computes; S3's others (CRC32C, CRC64NVME) are refused as not implemented. */
export const CHECKSUM_ALGORITHMS = ["sha256", "sha1", "crc32"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
const UNSUPPORTED_ALGORITHMS = ["crc32c", "crc64nvme"];

/** The checksums a request declares, from its headers, its presigned query, or its aws-chunked trailer. */
export function declaredChecksums(lookup: (name: string) => string | undefined): Partial<Record<ChecksumAlgorithm, string>> {
  const declared: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const algorithm of UNSUPPORTED_ALGORITHMS) {
    if (lookup(`x-amz-checksum-${algorithm}`))
      throw new S3Error(501, "NotImplemented", `x-amz-checksum-${algorithm} is not implemented by this store`);
  }
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = lookup(`x-amz-checksum-${algorithm}`);
    if (value !== undefined) declared[algorithm] = value;
  }
  if (Object.keys(declared).length > 1)
    throw new S3Error(400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  return declared;
}

interface Running {
  update(chunk: Buffer): void;
  digest(): string;
}

const hashOf = (algorithm: "sha256" | "sha1" | "md5"): Running => {
  const hash: Hash = createHash(algorithm);
  return { update: (c) => void hash.update(c), digest: () => hash.digest("base64") };
};

const crc32 = (): Running => {
  // zlib.crc32 exists from Node 20.15; the engines field asks for 20.11, so check once.
  const fn = (zlib as unknown as { crc32?: (data: Buffer, value?: number) => number }).crc32;
  if (!fn) throw new S3Error(501, "NotImplemented", "CRC32 checksums need Node.js 20.15 or later");
  let value = 0;
  return {
    update: (c) => void (value = fn(c, value)),
    digest: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out.toString("base64");
    },
  };
};

/**
 * Decodes an `aws-chunked` body (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`): hex-sized chunks, then a
 * trailer with the checksum header, which `onTrailer` receives.
 */
class AwsChunkedDecoder extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  constructor(private readonly onTrailer: (name: string, value: string) => void) {
    super();
  }
  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }
  override _flush(done: TransformCallback) {
    done(this.state === "done" ? undefined : new S3Error(400, "IncompleteBody", "The aws-chunked body ended early"));
  }
  private line(): string | null {
    const end = this.buffer.indexOf("\r\n");
    if (end < 0) {
      if (this.buffer.length > 8192) throw new S3Error(400, "InvalidRequest", "malformed aws-chunked encoding");
      return null;
    }
    const text = this.buffer.subarray(0, end).toString("latin1");
    this.buffer = this.buffer.subarray(end + 2);
    return text;
  }
  private drain() {
    for (;;) {
      if (this.state === "size") {
        const line = this.line();
        if (line === null) return;
        if (line.includes(";"))
          throw new S3Error(
            501,
            "NotImplemented",
            "signed aws-chunked payloads are not implemented: use STREAMING-UNSIGNED-PAYLOAD-TRAILER",
          );
        if (!/^[0-9a-fA-F]{1,16}$/.test(line)) throw new S3Error(400, "InvalidRequest", "malformed aws-chunked chunk size");
        this.remaining = parseInt(line, 16);
        this.state = this.remaining === 0 ? "trailer" : "data";
      } else if (this.state === "data") {
        if (!this.buffer.length) return;
        const take = Math.min(this.remaining, this.buffer.length);
        this.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) this.state = "data-end";
      } else if (this.state === "data-end") {
        const line = this.line();
        if (line === null) return;
        if (line !== "") throw new S3Error(400, "InvalidRequest", "malformed aws-chunked chunk end");
        this.state = "size";
      } else if (this.state === "trailer") {
        const line = this.line();
        if (line === null) return;
        if (line === "") {
          this.state = "done";
        } else {
          const colon = line.indexOf(":");
          if (colon < 0) throw new S3Error(400, "InvalidRequest", "malformed aws-chunked trailer");
          this.onTrailer(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
      } else {
        if (this.buffer.length) throw new S3Error(400, "InvalidRequest", "data after the aws-chunked trailer");
        return;
      }
    }
  }
}

export interface ReceiveOptions {
  /** Bytes of object data expected (the decoded length for aws-chunked bodies). */
  length: number;
  chunked: boolean;
  declared: Partial<Record<ChecksumAlgorithm, string>>;
  /** Checksum algorithms to compute though nothing was declared (e.g. the upload's algorithm). */
  compute: ChecksumAlgorithm[];
  /** A hex SHA-256 the signature covered (x-amz-content-sha256), checked against the body. */
  contentSha256?: string;
  contentMd5?: string;
  /**
   * false: the SHA-256 only when something needs it (a declared or signed SHA-256, or `compute`).
   * A multipart part's bytes are hashed into the whole object's SHA-256 later, in order (disk.ts):
   * hashing each part on its own as well would hash every byte twice.
   */
  sha256?: false;
}

export interface Received {
  size: number;
  /** Base64 SHA-256 of the data: always computed, kept with the object. */
  sha256: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** The algorithm the request declared a checksum for (header, presigned query or trailer), if any. */
  declared?: ChecksumAlgorithm;
}

/**
 * Write blocks, reused from one body to the next. A body's bytes are copied into a block as they
 * arrive and each block is written whole, in order, one write at a time: 2,048 writes per GiB
 * where the socket's 64 KiB chunks made 16,384 (each a threadpool round trip and a promise; the
 * main thread spent ~0.5 s per GiB issuing them). The chunks themselves die as they arrive
 * instead of waiting in a write stream's queue.
 */
export const BLOCK_BYTES = 512 * 1024;
/** Full blocks a body may have waiting for the disk before it stops reading the socket. */
const QUEUED_BLOCKS = 2;
/** Blocks kept for the next bodies (at most 4 MiB of memory between uploads). */
const SPARE_BLOCKS = 8;
const spareBlocks: Buffer[] = [];
export const takeBlock = () => spareBlocks.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
export const giveBlock = (block: Buffer) => void (spareBlocks.length < SPARE_BLOCKS && spareBlocks.push(block));

/**
 * Streams `source` into the open file `handle` through write blocks, `onBlock` seeing each block's
 * bytes once (in order, before they are written) and `onChunk` each chunk's length as it arrives
 * (it may throw to refuse the body). Resolves once every byte is written; rejects when `source` or
 * one of `watched` fails or closes early, or a write fails, once the write in flight is done.
 */
function writeThroughBlocks(
  source: Readable,
  watched: Readable[],
  handle: FileHandle,
  onBlock: (data: Buffer) => void,
  onChunk: (length: number) => void,
) {
  return new Promise<void>((resolve, reject) => {
    let block = takeBlock();
    let fill = 0;
    const queue: { data: Buffer; length: number }[] = [];
    let writing = false;
    let paused = false;
    let ended = false;
    let failure: Error | null = null;
    const unwatch: (() => void)[] = [];
    const settle = () => {
      if (writing || !((ended && queue.length === 0) || failure)) return;
      for (const stop of unwatch) stop();
      source.off("data", onData).off("end", onEnd);
      for (const { data } of queue.splice(0)) giveBlock(data);
      giveBlock(block);
      if (failure) reject(failure);
      else resolve();
    };
    const fail = (error: Error) => {
      if (failure) return;
      failure = error;
      settle();
    };
    const next = () => {
      const item = queue.shift();
      if (!item || failure) return settle();
      writing = true;
      handle
        .write(item.data, 0, item.length)
        .then(
          () => undefined,
          (error: Error) => fail(error),
        )
        .finally(() => {
          writing = false;
          giveBlock(item.data);
          if (paused && queue.length < QUEUED_BLOCKS && !failure) {
            paused = false;
            source.resume();
          }
          next();
        });
    };
    const push = (data: Buffer, length: number) => {
      onBlock(data.subarray(0, length));
      queue.push({ data, length });
      if (!writing) next();
    };
    function onData(chunk: Buffer) {
      if (failure) return;
      try {
        onChunk(chunk.length);
      } catch (error) {
        return fail(error as Error);
      }
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(block, fill, offset);
        fill += copied;
        offset += copied;
        if (fill === block.length) {
          push(block, fill);
          block = takeBlock();
          fill = 0;
        }
      }
      if (queue.length >= QUEUED_BLOCKS && !paused) {
        paused = true;
        source.pause();
      }
    }
    function onEnd() {
      if (failure) return;
      ended = true;
      if (fill > 0) {
        push(block, fill);
        block = takeBlock();
        fill = 0;
      }
      settle();
    }
    for (const stream of new Set([source, ...watched])) {
      unwatch.push(
        finished(stream, { writable: false }, (error) => {
          if (error) fail(error);
        }),
      );
    }
    source.on("data", onData).on("end", onEnd);
  });
}

/**
 * Streams a request body into `file`, hashing as it goes (one pass), and checks its length and
 * every declared digest. On any failure the file is removed and the S3 error thrown: nothing of a
 * refused or interrupted body remains.
 */
export async function receiveBody(
  body: Readable,
  file: string,
  options: ReceiveOptions & { sha256: false },
): Promise<Omit<Received, "sha256"> & { sha256?: string }>;
export async function receiveBody(body: Readable, file: string, options: ReceiveOptions): Promise<Received>;
export async function receiveBody(
  body: Readable,
  file: string,
  options: ReceiveOptions,
): Promise<Omit<Received, "sha256"> & { sha256?: string }> {
  const declared = { ...options.declared };
  const algorithms = new Set<ChecksumAlgorithm>([...options.compute, ...(Object.keys(declared) as ChecksumAlgorithm[])]);
  if (options.sha256 !== false || options.contentSha256) algorithms.add("sha256");
  const running = new Map<ChecksumAlgorithm | "md5", Running>();
  for (const algorithm of algorithms) running.set(algorithm, algorithm === "crc32" ? crc32() : hashOf(algorithm));
  if (options.contentMd5 !== undefined) running.set("md5", hashOf("md5"));
  let size = 0;
  const decoder = options.chunked
    ? new AwsChunkedDecoder((name, value) => {
        const algorithm = name.replace(/^x-amz-checksum-/, "") as ChecksumAlgorithm;
        if (!name.startsWith("x-amz-checksum-") || !CHECKSUM_ALGORITHMS.includes(algorithm))
          throw new S3Error(400, "InvalidRequest", `unsupported trailer ${name}`);
        declared[algorithm] = value;
        algorithms.add(algorithm);
      })
    : null;
  let handle: FileHandle | null = null;
  try {
    handle = await open(file, "wx");
    if (decoder) body.pipe(decoder);
    await writeThroughBlocks(
      decoder ?? body,
      [body],
      handle,
      (data) => {
        for (const r of running.values()) r.update(data);
      },
      (length) => {
        size += length;
        if (size > options.length) throw new S3Error(400, "IncompleteBody", "the body is longer than its declared length");
      },
    );
    await handle.close();
    handle = null;
    if (size !== options.length)
      throw new S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    const digests = Object.fromEntries([...running].map(([name, r]) => [name, r.digest()])) as Record<string, string>;
    if (options.contentSha256 && Buffer.from(digests.sha256, "base64").toString("hex") !== options.contentSha256.toLowerCase()) {
      throw new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (options.contentMd5 !== undefined && digests.md5 !== options.contentMd5)
      throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    for (const [algorithm, value] of Object.entries(declared)) {
      if (digests[algorithm] !== value)
        throw new S3Error(400, "BadDigest", `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const algorithm of algorithms) checksums[algorithm] = digests[algorithm];
    return { size, sha256: digests.sha256, checksums, declared: Object.keys(declared)[0] as ChecksumAlgorithm | undefined };
  } catch (error) {
    // What is left of the body is drained (or the connection closed) by the caller, not decoded.
    if (decoder) body.unpipe(decoder);
    await handle?.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    if (error instanceof S3Error) throw error;
    // The client went away or the stream broke mid-body: S3 stores nothing and the client sees no answer.
    throw new S3Error(400, "IncompleteBody", "the request body was cut off");
  }
}
