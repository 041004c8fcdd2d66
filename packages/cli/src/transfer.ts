import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, statSync, type Stats } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { ApiError, NetworkError } from "./errors";
import type { Client, FileItem } from "./client";
import { loadUploads, normalizeApi, saveUpload } from "./config";

export interface Progress {
  /** A bar for one file; `total` in bytes. */
  start(label: string, total: number): { update(done: number, stage?: string): void; stop(): void };
}

const PART_CONCURRENCY = 4;
const PART_RETRIES = 3;

export async function sha256File(path: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash("sha256");
  let done = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
  return hash.digest("hex");
}

async function proofFor(path: string, challenge: { offset: number; length: number; nonce: string }): Promise<string> {
  const hash = createHash("sha256").update(Buffer.from(challenge.nonce, "utf8"));
  if (challenge.length > 0) {
    for await (const chunk of createReadStream(path, { start: challenge.offset, end: challenge.offset + challenge.length - 1 })) hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/** PUT a byte range of a file to a presigned URL, streaming, counting bytes; resolves with the ETag. */
function putRange(url: string, path: string, start: number, length: number, headers: Record<string, string>, onBytes: (n: number) => void): Promise<string> {
  return new Promise((resolvePut, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "PUT", headers: { ...headers, "content-length": String(length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) resolvePut(String(res.headers.etag ?? ""));
        else reject(Object.assign(new ApiError(300020, `storage answered HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`), { httpStatus: res.statusCode }));
      });
    });
    req.on("error", (e) => reject(new NetworkError(`upload to storage failed: ${e.message}`)));
    if (length === 0) return req.end();
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sent += chunk.length;
        onBytes(sent);
        cb(null, chunk);
      },
    });
    pipeline(createReadStream(path, { start, end: start + length - 1 }), counter, req).catch((e) => reject(new NetworkError(`upload to storage failed: ${(e as Error).message}`)));
  });
}

const mimeTypes: Record<string, string> = {
  ".txt": "text/plain", ".md": "text/markdown", ".json": "application/json", ".pdf": "application/pdf", ".png": "image/png",
  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".zip": "application/zip", ".mp4": "video/mp4", ".csv": "text/csv",
  ".html": "text/html", ".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
};

export interface UploadResult { file: FileItem; instant: boolean; resumed: boolean }

/**
 * One file: hash, instant upload with proof when the content is known, else presign and PUT
 * (single or multipart, parts in parallel). A multipart session is remembered in the config folder,
 * so running the same upload again after an interruption continues with the missing parts.
 */
export async function uploadFile(client: Client, path: string, parentId: string, progress: Progress, options: { name?: string } = {}): Promise<UploadResult> {
  const stat = statSync(path);
  const name = options.name ?? basename(path);
  const bar = progress.start(name, stat.size);
  try {
    const key = sessionKey(client.base, path, stat, parentId);
    const saved = loadUploads()[key];
    const hash = saved?.hash ?? (await sha256File(path, (n) => bar.update(n, "hashing")));
    bar.update(0, "checking");

    if (saved) {
      try {
        const file = await resumeMultipart(client, path, stat.size, saved.uploadKey, saved.partSize ?? 0, bar);
        saveUpload(key, undefined);
        return { file, instant: false, resumed: true };
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 300024) throw e;
        saveUpload(key, undefined); // session expired: start over
      }
    }

    const base = { hash, size: stat.size, name, parentId };
    const first = await client.instant(base);
    if (first.exists && first.challenge) {
      const proof = await proofFor(path, first.challenge);
      try {
        const second = await client.instant({ ...base, proof });
        if (second.exists && second.file) {
          bar.update(stat.size, "instant");
          return { file: second.file, instant: true, resumed: false };
        }
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 300026) throw e;
      }
    } else if (first.exists && first.file) {
      bar.update(stat.size, "instant");
      return { file: first.file, instant: true, resumed: false };
    }

    const plan = await client.presign({ ...base, mimeType: mimeTypes[extname(name).toLowerCase()] ?? "application/octet-stream" });
    if (plan.mode === "single") {
      bar.update(0, "uploading");
      await putRange(plan.uploadUrl!, path, 0, stat.size, plan.headers ?? {}, (n) => bar.update(n, "uploading"));
      const done = await client.callback(plan.uploadKey);
      bar.update(stat.size, "done");
      return { file: done.file, instant: false, resumed: false };
    }
    saveUpload(key, { uploadKey: plan.uploadKey, hash, partSize: plan.partSize, mode: "multipart", savedAt: Date.now() });
    const file = await runParts(client, path, stat.size, plan.uploadKey, plan.partSize!, new Map(), new Map(plan.parts!.map((p) => [p.partNumber, p.url])), bar);
    saveUpload(key, undefined);
    return { file, instant: false, resumed: false };
  } finally {
    bar.stop();
  }
}

const sessionKey = (api: string, path: string, stat: Stats, parentId: string) => `${normalizeApi(api)}|${resolve(path)}|${stat.size}|${Math.floor(stat.mtimeMs)}|${parentId}`;

async function resumeMultipart(client: Client, path: string, size: number, uploadKey: string, partSize: number, bar: ReturnType<Progress["start"]>) {
  const state = await client.parts(uploadKey);
  const sizeOf = (n: number) => Math.min(partSize, size - (n - 1) * partSize);
  const done = new Map(state.uploaded.filter((u) => u.size === sizeOf(u.partNumber)).map((u) => [u.partNumber, u.etag]));
  return runParts(client, path, size, uploadKey, partSize, done, new Map(state.parts.map((p) => [p.partNumber, p.url])), bar);
}

async function runParts(client: Client, path: string, size: number, uploadKey: string, partSize: number, done: Map<number, string>, urls: Map<number, string>, bar: ReturnType<Progress["start"]>) {
  const count = Math.max(1, Math.ceil(size / partSize));
  const loaded = new Map<number, number>();
  for (const n of done.keys()) loaded.set(n, Math.min(partSize, size - (n - 1) * partSize));
  const total = () => [...loaded.values()].reduce((a, b) => a + b, 0);
  bar.update(total(), done.size ? "resuming" : "uploading");
  let todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  // Test hook: stop after this many parts, as a dropped connection would (exit code 4).
  const interruptAfter = Number(process.env.POLARIS_CLI_INTERRUPT_AFTER_PARTS || 0);
  if (interruptAfter > 0 && todo.length > interruptAfter) todo = todo.slice(0, interruptAfter);
  const interrupted = todo.length < count - done.size;
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const start = (n - 1) * partSize;
      const length = Math.min(partSize, size - start);
      for (let attempt = 0; ; attempt++) {
        if (!urls.has(n)) {
          const fresh = await client.parts(uploadKey);
          for (const p of fresh.parts) urls.set(p.partNumber, p.url);
        }
        try {
          const etag = await putRange(urls.get(n)!, path, start, length, {}, (b) => {
            loaded.set(n, b);
            bar.update(total(), "uploading");
          });
          done.set(n, etag);
          break;
        } catch (e) {
          loaded.set(n, 0);
          if (attempt + 1 >= PART_RETRIES) throw e;
          if ((e as { httpStatus?: number }).httpStatus === 403) urls.delete(n);
          await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, Math.max(1, todo.length)) }, worker));
  if (interrupted) throw new NetworkError("upload interrupted (POLARIS_CLI_INTERRUPT_AFTER_PARTS); run the same upload again to resume");
  if ([...done.values()].some((etag) => !etag)) {
    const state = await client.parts(uploadKey);
    for (const u of state.uploaded) done.set(u.partNumber, u.etag);
  }
  bar.update(size, "completing");
  const result = await client.callback(uploadKey, [...done].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag })));
  return result.file;
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
      if (e.isDirectory()) (dirs.push(rel), await visit(full));
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
