import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, statSync, type Stats } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { ApiError, Interrupted, NetworkError, NotLoggedInError } from "./errors";
import type { InputOf } from "@polaris/contract/client";
import type { Client, FileItem } from "./client";
import { loadUploads, normalizeApi, saveUpload, type SavedUpload } from "./config";

export interface Progress {
  /** The whole transfer, when it is known before it starts (a folder upload): `files` files of `bytes` in all. */
  plan?(files: number, bytes: number): void;
  /** One file, the current one; `total` in bytes. */
  start(label: string, total: number): { update(done: number, stage?: string): void; stop(): void };
}

const PART_CONCURRENCY = 4;
/** Attempts per part; between them the wait doubles from 1 s to 8 s (~23 s in all: a dropped network, a restarting server). */
const PART_ATTEMPTS = 6;
const backoff = (attempt: number) => Math.min(8000, 500 * 2 ** attempt);

/** Caps the bytes per second of every transfer that shares it (curl's --limit-rate). */
export class RateLimiter {
  private next = 0;
  constructor(private readonly bytesPerSecond: number) {}
  /** Resolves when `n` more bytes fit the rate. */
  async take(n: number) {
    const now = performance.now();
    const start = Math.max(now, this.next);
    this.next = start + (n / this.bytesPerSecond) * 1000;
    if (start > now) await new Promise((r) => setTimeout(r, start - now));
  }
}

export interface TransferOptions {
  /** Ctrl-C: stops at once; what is stored stays for the next run. */
  signal?: AbortSignal;
  limiter?: RateLimiter;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted());
    const onAbort = () => (clearTimeout(timer), reject(new Interrupted()));
    const timer = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export async function sha256File(path: string, onBytes?: (n: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (signal?.aborted) throw new Interrupted();
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
  return hash.digest("hex");
}

async function proofFor(path: string, challenge: { offset: number; length: number; nonce: string }): Promise<string> {
  const hash = createHash("sha256").update(Buffer.from(challenge.nonce, "utf8"));
  if (challenge.length > 0) {
    for await (const chunk of createReadStream(path, { start: challenge.offset, end: challenge.offset + challenge.length - 1 }))
      hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/** PUT a byte range of a file to a presigned URL, streaming, counting bytes. */
function putRange(
  url: string,
  path: string,
  start: number,
  length: number,
  headers: Record<string, string>,
  onBytes: (n: number) => void,
  options: TransferOptions = {},
): Promise<void> {
  const { signal, limiter } = options;
  return new Promise<void>((resolvePut, reject) => {
    if (signal?.aborted) return reject(new Interrupted());
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "PUT", headers: { ...headers, "content-length": String(length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) resolvePut();
        else
          reject(
            Object.assign(
              new ApiError(300020, `storage answered HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`),
              { httpStatus: res.statusCode },
            ),
          );
      });
    });
    const failed = (e: Error) => reject(signal?.aborted ? new Interrupted() : new NetworkError(`upload to storage failed: ${e.message}`));
    req.on("error", failed);
    const onAbort = () => req.destroy(new Interrupted());
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("close", () => signal?.removeEventListener("abort", onAbort));
    if (length === 0) return req.end();
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        const pass = () => {
          sent += chunk.length;
          onBytes(sent);
          cb(null, chunk);
        };
        if (limiter) limiter.take(chunk.length).then(pass);
        else pass();
      },
    });
    pipeline(createReadStream(path, { start, end: start + length - 1, highWaterMark: 64 * 1024 }), counter, req).catch(failed);
  });
}

const mimeTypes: Record<string, string> = {
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".json": "application/json",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".zip": "application/zip",
  ".mp4": "video/mp4",
  ".csv": "text/csv",
  ".html": "text/html",
  ".doc": "application/msword",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

export interface UploadResult {
  file: FileItem;
  instant: boolean;
  /** Continued a session an earlier run left. */
  resumed: boolean;
  /** Multipart: parts found whole in storage (not sent again), and parts sent by this run. */
  reusedParts: number;
  sentParts: number;
}

type Bar = ReturnType<Progress["start"]>;

/**
 * One file: hash, instant upload with proof when the content is known, else presign and PUT
 * (single or multipart, parts in parallel). Every session is remembered in the config folder under
 * the server, the file (path, size, mtime, SHA-256) and the target folder until it completes, so
 * running the same upload after Ctrl-C or a kill continues it: only the parts storage does not
 * hold whole are sent again, and no second quota reservation is made.
 */
export async function uploadFile(
  client: Client,
  path: string,
  parentId: string,
  progress: Progress,
  /** `label`: how the progress line names the file (its path in a folder upload). */
  options: { name?: string; label?: string; onConflict?: InputOf<"file.uploadPresign">["onConflict"] } & TransferOptions = {},
): Promise<UploadResult> {
  const stat = statSync(path);
  const name = options.name ?? basename(path);
  const bar = progress.start(options.label ?? name, stat.size);
  try {
    const hash = await sha256File(path, (n) => bar.update(n, "hashing"), options.signal);
    const key = sessionKey(client.base, path, stat, parentId, hash);
    await dropChangedSessions(client, key, path, parentId);
    bar.update(0, "checking");

    try {
      const saved = loadUploads()[key];
      if (saved) {
        const resumed = await resumeSession(client, path, stat.size, saved, bar, options);
        saveUpload(key, undefined);
        if (resumed) return resumed;
      }

      const base = { hash, size: stat.size, name, parentId, onConflict: options.onConflict };
      const first = await client.instant(base);
      if (first.exists && "challenge" in first) {
        const proof = await proofFor(path, first.challenge);
        try {
          const second = await client.instant({ ...base, proof });
          if (second.exists && "file" in second) {
            bar.update(stat.size, "instant");
            return { file: second.file, instant: true, resumed: false, reusedParts: 0, sentParts: 0 };
          }
        } catch (e) {
          if (!(e instanceof ApiError) || e.code !== 300026) throw e;
        }
      } else if (first.exists && "file" in first) {
        bar.update(stat.size, "instant");
        return { file: first.file, instant: true, resumed: false, reusedParts: 0, sentParts: 0 };
      }

      if (options.signal?.aborted) throw new Interrupted();
      const plan = await client.presign({ ...base, mimeType: mimeTypes[extname(name).toLowerCase()] ?? "application/octet-stream" });
      saveUpload(key, {
        uploadKey: plan.uploadKey,
        hash,
        partSize: plan.partSize,
        mode: plan.mode,
        path: resolve(path),
        parentId,
        expiresAt: plan.expiresAt,
        savedAt: Date.now(),
      });
      let result: UploadResult;
      if (plan.mode === "single") {
        bar.update(0, "uploading");
        await putRange(plan.uploadUrl!, path, 0, stat.size, plan.headers ?? {}, (n) => bar.update(n, "uploading"), options);
        const done = await client.callback(plan.uploadKey);
        bar.update(stat.size, "done");
        result = { file: done.file, instant: false, resumed: false, reusedParts: 0, sentParts: 0 };
      } else {
        const parts = await sendParts(
          client,
          path,
          stat.size,
          plan.uploadKey,
          plan.partSize!,
          { uploaded: [], parts: plan.parts! },
          bar,
          options,
        );
        result = { ...parts, instant: false, resumed: false };
      }
      saveUpload(key, undefined);
      return result;
    } catch (e) {
      // A failure that running it again cannot fix: release the reservation now, not in a day.
      if (!resumable(e)) await abandon(client, key);
      throw e;
    }
  } finally {
    bar.stop();
  }
}

/** Failures a rerun continues from: the network, Ctrl-C, a sign-in, a server or storage that is down, a part storage lacks. */
const resumable = (e: unknown) =>
  e instanceof NetworkError ||
  e instanceof Interrupted ||
  e instanceof NotLoggedInError ||
  (e instanceof ApiError && [100001, 100007, 300020, 300027].includes(e.code));

/** Ends the saved session of `key` on the server (reservation released) and forgets it. */
async function abandon(client: Client, key: string) {
  const session = loadUploads()[key];
  if (!session) return;
  await client.abort(session.uploadKey).catch(() => undefined);
  saveUpload(key, undefined);
}

const sessionKey = (api: string, path: string, stat: Stats, parentId: string, hash: string) =>
  `${normalizeApi(api)}|${resolve(path)}|${stat.size}|${Math.floor(stat.mtimeMs)}|${hash}|${parentId}`;

/**
 * Sessions an earlier run left for this path and folder whose file has changed since can never
 * be resumed: abandon them at once, so their quota reservations do not wait a day to expire.
 */
async function dropChangedSessions(client: Client, key: string, path: string, parentId: string) {
  const server = `${normalizeApi(client.base)}|`;
  for (const [other, session] of Object.entries(loadUploads())) {
    if (other !== key && other.startsWith(server) && session.path === resolve(path) && session.parentId === parentId)
      await abandon(client, other);
  }
}

/**
 * Continues a saved session; null when the server no longer has it pending (expired, aborted,
 * or failed), and then a fresh upload starts. A session whose bytes had all landed is only confirmed.
 */
async function resumeSession(
  client: Client,
  path: string,
  size: number,
  saved: SavedUpload,
  bar: Bar,
  options: TransferOptions,
): Promise<UploadResult | null> {
  const confirm = async () => {
    try {
      return (await client.callback(saved.uploadKey)).file;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 300024 || e.code === 300023)) return null;
      throw e;
    }
  };
  if (saved.mode === "single") {
    // A single PUT has no parts to keep: confirm it if its bytes had landed, else release it and start afresh.
    const file = await confirm();
    if (file) return { file, instant: false, resumed: true, reusedParts: 0, sentParts: 0 };
    await client.abort(saved.uploadKey).catch(() => undefined);
    return null;
  }
  let state;
  try {
    state = await client.parts(saved.uploadKey);
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 300024) throw e;
    const file = await confirm(); // a kill between completing and recording it
    return file ? { file, instant: false, resumed: true, reusedParts: 0, sentParts: 0 } : null;
  }
  const parts = await sendParts(client, path, size, saved.uploadKey, saved.partSize!, state, bar, options);
  return { ...parts, instant: false, resumed: true };
}

/** Sends the parts `state` has URLs for (4 at a time, each retried with backoff), then completes the upload. */
async function sendParts(
  client: Client,
  path: string,
  size: number,
  uploadKey: string,
  partSize: number,
  state: { uploaded: { partNumber: number }[]; parts: { partNumber: number; url: string }[] },
  bar: Bar,
  options: TransferOptions,
) {
  const count = Math.max(1, Math.ceil(size / partSize));
  const sizeOf = (n: number) => Math.min(partSize, size - (n - 1) * partSize);
  const done = new Set(state.uploaded.map((u) => u.partNumber));
  const urls = new Map(state.parts.map((p) => [p.partNumber, p.url]));
  const unplanned = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n) && !urls.has(n));
  if (unplanned.length) throw new ApiError(100001, `the server offered no upload URL for part(s) ${unplanned.join(", ")}`);
  const reusedParts = done.size;
  const loaded = new Map<number, number>();
  for (const n of done) loaded.set(n, sizeOf(n));
  const total = () => [...loaded.values()].reduce((a, b) => a + b, 0);
  bar.update(total(), reusedParts ? "resuming" : "uploading");
  let todo = [...urls.keys()].sort((a, b) => a - b);
  // Test hook: stop after this many parts, as a dropped connection would (exit code 4).
  const interruptAfter = Number(process.env.POLARIS_CLI_INTERRUPT_AFTER_PARTS || 0);
  if (interruptAfter > 0 && todo.length > interruptAfter) todo = todo.slice(0, interruptAfter);
  const interrupted = todo.length < count - done.size;
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const start = (n - 1) * partSize;
      for (let attempt = 1; ; attempt++) {
        try {
          await putRange(
            urls.get(n)!,
            path,
            start,
            sizeOf(n),
            {},
            (b) => {
              loaded.set(n, b);
              bar.update(total(), "uploading");
            },
            options,
          );
          done.add(n);
          break;
        } catch (e) {
          loaded.set(n, 0);
          if (e instanceof Interrupted || attempt >= PART_ATTEMPTS) throw e;
          await sleep(backoff(attempt), options.signal);
          // An expired URL (403), or a server that restarted on another storage address: fresh URLs.
          const fresh = await client.parts(uploadKey).catch(() => null);
          for (const p of fresh?.parts ?? []) urls.set(p.partNumber, p.url);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, Math.max(1, todo.length)) }, worker));
  if (interrupted) throw new NetworkError("upload interrupted (POLARIS_CLI_INTERRUPT_AFTER_PARTS); run the same upload again to resume");
  bar.update(size, "completing");
  // The callback completes from the parts storage holds whole: no ETags to send.
  const result = await client.callback(uploadKey);
  return { file: result.file, reusedParts, sentParts: count - reusedParts };
}

/** Creates a folder, or finds the existing one with that name. */
export async function ensureFolder(client: Client, parentId: string, name: string): Promise<string> {
  try {
    return (await client.mkdir(name, parentId)).identity;
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 300013) throw e;
    const existing = (await client.listAll(parentId)).find((f) => f.name === name);
    if (!existing?.isDir) throw e;
    return existing.identity;
  }
}

/** Local files under a folder, with their folder paths relative to it (POSIX separators). */
export async function walkLocal(root: string): Promise<{ dirs: string[]; files: { path: string; rel: string }[] }> {
  const dirs: string[] = [];
  const files: { path: string; rel: string }[] = [];
  const visit = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = join(dir, e.name);
      const rel = relative(root, full).split(sep).join("/");
      if (e.isDirectory()) dirs.push(rel), await visit(full);
      else if (e.isFile()) files.push({ path: full, rel });
    }
  };
  await visit(root);
  return { dirs, files };
}

/** Streams a presigned GET into a file (via a temporary name, so a failed download leaves nothing half-written). */
export async function downloadTo(url: string, dest: string, size: number, progress: Progress, label: string) {
  const bar = progress.start(label, size);
  try {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new NetworkError(`download failed: ${(e as Error).message}`);
    }
    if (!res.ok || !res.body) throw new ApiError(300020, `storage answered HTTP ${res.status}`);
    mkdirSync(dirname(dest), { recursive: true });
    const tmp = `${dest}.polaris-part`;
    let got = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        got += chunk.length;
        bar.update(got, "downloading");
        cb(null, chunk);
      },
    });
    await pipeline(res.body as unknown as NodeJS.ReadableStream, counter, createWriteStream(tmp));
    renameSync(tmp, dest);
  } finally {
    bar.stop();
  }
}

export async function isReadable(path: string) {
  try {
    await (await open(path, "r")).close();
    return true;
  } catch {
    return false;
  }
}
