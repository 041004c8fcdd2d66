/**
 * The upload manager: a small store (for useSyncExternalStore) that runs each file through
 * hash (Web Worker) → instant upload with proof → presign → single PUT or multipart parts → callback.
 * Sessions are kept in localStorage (uploadKey + the file's name, size and lastModified) so that an
 * upload interrupted by a pause, an error or a page reload continues where it stopped
 * (`upload/parts` lists what S3 already has) once the same file is chosen again.
 */
import { api, ApiError, type FileItem, type PartUrl } from "./api";
import type { HashRequest, HashResponse } from "./hash.worker";

export type UploadStatus = "queued" | "hashing" | "checking" | "uploading" | "completing" | "done" | "paused" | "error" | "cancelled";

export interface PartState { partNumber: number; size: number; loaded: number; done: boolean }

export interface UploadTask {
  id: string;
  name: string;
  size: number;
  lastModified: number;
  parentId: string;
  /** folder path below parentId for folder uploads ("a/b"), "" otherwise */
  relDir: string;
  status: UploadStatus;
  hashLoaded: number;
  hash?: string;
  uploadKey?: string;
  mode?: "single" | "multipart";
  instant?: boolean;
  loaded: number;
  parts: PartState[];
  speed: number;
  eta: number;
  error?: unknown;
  file?: FileItem;
  resumed?: boolean;
}

/** What survives a reload. */
export interface SavedSession {
  uploadKey: string;
  name: string;
  size: number;
  lastModified: number;
  parentId: string;
  hash: string;
  mode: "single" | "multipart";
  partSize?: number;
  uploadUrl?: string;
  headers?: Record<string, string>;
  expiresAt: number;
  savedAt: number;
}

const STORAGE_KEY = "polaris.uploads";
const PART_CONCURRENCY = 3;
const TASK_CONCURRENCY = 2;
const PART_RETRIES = 2;

const sameFile = (s: { name: string; size: number; lastModified: number }, f: { name: string; size: number; lastModified: number }) =>
  s.name === f.name && s.size === f.size && s.lastModified === f.lastModified;

function loadSessions(): SavedSession[] {
  try {
    const list = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]") as SavedSession[];
    const now = Date.now() / 1000;
    return Array.isArray(list) ? list.filter((s) => s.uploadKey && (!s.expiresAt || s.expiresAt > now)) : [];
  } catch {
    return [];
  }
}
const storeSessions = (list: SavedSession[]) => localStorage.setItem(STORAGE_KEY, JSON.stringify(list));

let hashWorker: Worker | null = null;
let nextRequest = 1;
const pending = new Map<number, { resolve(v: { hex: string; base64: string }): void; reject(e: Error): void; progress?(loaded: number): void }>();
function worker(): Worker {
  if (!hashWorker) {
    hashWorker = new Worker(new URL("./hash.worker.ts", import.meta.url), { type: "module" });
    hashWorker.onmessage = (event: MessageEvent<HashResponse>) => {
      const msg = event.data;
      const p = pending.get(msg.id);
      if (!p) return;
      if (msg.type === "progress") p.progress?.(msg.loaded);
      else {
        pending.delete(msg.id);
        if (msg.type === "done") p.resolve(msg);
        else p.reject(new Error(msg.message));
      }
    };
  }
  return hashWorker;
}
function runHash(req: Omit<HashRequest, "id">, progress?: (loaded: number) => void) {
  const id = nextRequest++;
  return new Promise<{ hex: string; base64: string }>((resolve, reject) => {
    pending.set(id, { resolve, reject, progress });
    worker().postMessage({ ...req, id } as HashRequest);
  });
}

class Paused extends Error {}

/** PUT with upload progress (fetch has none); resolves with the ETag header when CORS exposes it. */
function put(url: string, body: Blob, headers: Record<string, string>, signal: AbortSignal, onProgress: (loaded: number) => void): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() !== "host" && k.toLowerCase() !== "content-length") xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader("ETag"));
      } else reject(Object.assign(new Error(`storage answered HTTP ${xhr.status}`), { status: xhr.status, code: 300020 }));
    };
    xhr.onerror = () => reject(Object.assign(new Error("network error while uploading"), { code: 300020 }));
    xhr.onabort = () => reject(new Paused("aborted"));
    if (signal.aborted) return reject(new Paused("aborted"));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

type Listener = () => void;

export class UploadManager {
  private tasks: UploadTask[] = [];
  private files = new Map<string, File>();
  private controllers = new Map<string, AbortController>();
  private samples = new Map<string, { t: number; bytes: number }[]>();
  private listeners = new Set<Listener>();
  private completedListeners = new Set<(task: UploadTask) => void>();
  private snapshot: { tasks: UploadTask[]; saved: SavedSession[] } = { tasks: [], saved: loadSessions() };
  private folderCache = new Map<string, Promise<string>>();
  private emitTimer: number | null = null;

  subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;
  onCompleted(l: (task: UploadTask) => void) {
    this.completedListeners.add(l);
    return () => this.completedListeners.delete(l);
  }

  private emit(now = false) {
    const flush = () => {
      this.emitTimer = null;
      const active = new Set(this.tasks.map((t) => t.uploadKey).filter(Boolean));
      this.snapshot = { tasks: this.tasks.map((t) => ({ ...t })), saved: loadSessions().filter((s) => !active.has(s.uploadKey)) };
      for (const l of this.listeners) l();
    };
    if (now) {
      if (this.emitTimer !== null) clearTimeout(this.emitTimer);
      flush();
    } else if (this.emitTimer === null) this.emitTimer = window.setTimeout(flush, 80);
  }

  private update(task: UploadTask, patch: Partial<UploadTask>, now = false) {
    Object.assign(task, patch);
    this.emit(now);
  }

  /** Queue files; `relPath` (folder uploads) is the path below `parentId` including the file name. */
  add(entries: { file: File; relPath?: string }[], parentId: string) {
    for (const { file, relPath } of entries) {
      const relDir = relPath && relPath.includes("/") ? relPath.slice(0, relPath.lastIndexOf("/")) : "";
      const id = crypto.randomUUID();
      this.files.set(id, file);
      const saved = relDir ? undefined : loadSessions().find((s) => sameFile(s, file) && s.parentId === parentId);
      this.tasks.push({
        id, name: file.name, size: file.size, lastModified: file.lastModified, parentId, relDir,
        status: "queued", hashLoaded: 0, loaded: 0, parts: [], speed: 0, eta: Infinity,
        hash: saved?.hash, uploadKey: saved?.uploadKey, mode: saved?.mode, resumed: !!saved,
      });
    }
    this.emit(true);
    this.pump();
  }

  /** Continue a session saved before a reload with the file the user picked again. */
  resumeSaved(session: SavedSession, file: File): boolean {
    if (!sameFile(session, file)) return false;
    const id = crypto.randomUUID();
    this.files.set(id, file);
    this.tasks.push({
      id, name: file.name, size: file.size, lastModified: file.lastModified, parentId: session.parentId, relDir: "",
      status: "queued", hashLoaded: file.size, hash: session.hash, uploadKey: session.uploadKey, mode: session.mode,
      loaded: 0, parts: [], speed: 0, eta: Infinity, resumed: true,
    });
    this.emit(true);
    this.pump();
    return true;
  }

  async discardSaved(session: SavedSession) {
    this.forget(session.uploadKey);
    this.emit(true);
    await api.abort(session.uploadKey).catch(() => undefined);
  }

  pause(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || ["done", "cancelled", "error", "paused"].includes(task.status)) return;
    this.controllers.get(id)?.abort();
    this.update(task, { status: "paused", speed: 0 }, true);
    this.pump();
  }

  resume(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || !["paused", "error"].includes(task.status)) return;
    this.update(task, { status: "queued", error: undefined }, true);
    this.pump();
  }

  async cancel(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || task.status === "done") return;
    this.controllers.get(id)?.abort();
    this.update(task, { status: "cancelled", speed: 0 }, true);
    if (task.uploadKey) {
      this.forget(task.uploadKey);
      await api.abort(task.uploadKey).catch(() => undefined);
    }
    this.pump();
  }

  clearFinished() {
    this.tasks = this.tasks.filter((t) => !["done", "cancelled"].includes(t.status));
    this.emit(true);
  }

  private save(session: SavedSession) {
    storeSessions([...loadSessions().filter((s) => s.uploadKey !== session.uploadKey), session]);
  }
  private forget(uploadKey: string) {
    storeSessions(loadSessions().filter((s) => s.uploadKey !== uploadKey));
  }

  private pump() {
    const running = this.tasks.filter((t) => ["hashing", "checking", "uploading", "completing"].includes(t.status)).length;
    const next = this.tasks.filter((t) => t.status === "queued").slice(0, Math.max(0, TASK_CONCURRENCY - running));
    for (const task of next) {
      const controller = new AbortController();
      this.controllers.set(task.id, controller);
      this.update(task, { status: "hashing" }, true);
      this.run(task, controller.signal)
        .then(() => {
          this.update(task, { status: "done", speed: 0, eta: 0 }, true);
          for (const l of this.completedListeners) l(task);
        })
        .catch((error) => {
          if (error instanceof Paused || signal(controller)) return;
          this.update(task, { status: "error", error, speed: 0 }, true);
        })
        .finally(() => {
          this.controllers.delete(task.id);
          this.pump();
        });
    }
    function signal(c: AbortController) {
      return c.signal.aborted;
    }
  }

  private check(signal: AbortSignal) {
    if (signal.aborted) throw new Paused("paused");
  }

  /** Folder uploads: create (or find) each folder of the relative path once. */
  private ensureFolder(parentId: string, relDir: string): Promise<string> {
    if (!relDir) return Promise.resolve(parentId);
    const key = `${parentId}/${relDir}`;
    let found = this.folderCache.get(key);
    if (!found) {
      const slash = relDir.lastIndexOf("/");
      const parentDir = slash < 0 ? "" : relDir.slice(0, slash);
      const name = relDir.slice(slash + 1);
      found = this.ensureFolder(parentId, parentDir).then(async (pid) => {
        try {
          return (await api.mkdir(name, pid)).identity;
        } catch (e) {
          if ((e as ApiError).code !== 300013) throw e;
          let cursor: string | undefined;
          for (;;) {
            const page = await api.list({ parentId: pid, pageSize: 1000, cursor, orderBy: "name", order: "asc" });
            const hit = page.list.find((f) => f.isDir && f.name === name);
            if (hit) return hit.identity;
            if (!page.nextCursor || page.list.length === 0) throw e;
            cursor = page.nextCursor;
          }
        }
      });
      found.catch(() => this.folderCache.delete(key));
      this.folderCache.set(key, found);
    }
    return found;
  }

  private async run(task: UploadTask, signal: AbortSignal) {
    const file = this.files.get(task.id);
    if (!file) throw new Error("file is no longer available; choose it again");
    if (task.relDir) {
      task.parentId = await this.ensureFolder(task.parentId, task.relDir);
      task.relDir = "";
    }
    this.check(signal);

    if (!task.hash) {
      const { hex } = await runHash({ type: "hash", file }, (loaded) => this.update(task, { hashLoaded: loaded }));
      this.update(task, { hash: hex, hashLoaded: file.size });
    }
    this.check(signal);

    // A saved session: continue it rather than starting over.
    if (task.uploadKey) {
      const saved = loadSessions().find((s) => s.uploadKey === task.uploadKey);
      try {
        if (saved?.mode === "multipart") return await this.multipart(task, file, signal, saved.partSize!, null);
        if (saved?.mode === "single" && saved.uploadUrl && saved.expiresAt > Date.now() / 1000 + 30)
          return await this.single(task, file, signal, saved.uploadUrl, saved.headers ?? {});
      } catch (e) {
        if ((e as ApiError).code !== 300024) throw e;
      }
      // expired or gone: start a fresh session
      this.forget(task.uploadKey);
      await api.abort(task.uploadKey).catch(() => undefined);
      task.uploadKey = undefined;
    }

    this.update(task, { status: "checking" }, true);
    const hash = task.hash!;
    const base = { hash, size: file.size, name: file.name, parentId: task.parentId };
    const first = await api.instant(base);
    if (first.exists && first.challenge) {
      const { hex: proof } = await runHash({ type: "proof", file, ...first.challenge });
      this.check(signal);
      try {
        const second = await api.instant({ ...base, proof });
        if (second.exists && second.identity) {
          this.update(task, { instant: true, file: second.file, loaded: file.size });
          return;
        }
      } catch (e) {
        if ((e as ApiError).code !== 300026) throw e; // a failed proof falls back to a normal upload
      }
    } else if (first.exists && first.identity) {
      this.update(task, { instant: true, file: first.file, loaded: file.size });
      return;
    }
    this.check(signal);

    const plan = await api.presign({ ...base, mimeType: file.type || "application/octet-stream" });
    const session: SavedSession = {
      uploadKey: plan.uploadKey, name: file.name, size: file.size, lastModified: file.lastModified, parentId: task.parentId,
      hash, mode: plan.mode, expiresAt: plan.expiresAt, savedAt: Date.now(),
      ...(plan.mode === "single" ? { uploadUrl: plan.uploadUrl, headers: plan.headers } : { partSize: plan.partSize }),
    };
    this.save(session);
    this.update(task, { uploadKey: plan.uploadKey, mode: plan.mode }, true);
    if (plan.mode === "single") return this.single(task, file, signal, plan.uploadUrl, plan.headers ?? {});
    return this.multipart(task, file, signal, plan.partSize, plan.parts);
  }

  private progress(task: UploadTask) {
    const now = performance.now();
    const list = this.samples.get(task.id) ?? [];
    list.push({ t: now, bytes: task.loaded });
    while (list.length > 2 && now - list[0].t > 4000) list.shift();
    this.samples.set(task.id, list);
    const span = (now - list[0].t) / 1000;
    const speed = span > 0.3 ? (task.loaded - list[0].bytes) / span : task.speed;
    this.update(task, { speed, eta: speed > 0 ? (task.size - task.loaded) / speed : Infinity });
  }

  private async single(task: UploadTask, file: File, signal: AbortSignal, url: string, headers: Record<string, string>) {
    this.update(task, { status: "uploading", parts: [{ partNumber: 1, size: file.size, loaded: 0, done: false }] }, true);
    await put(url, file, headers, signal, (loaded) => {
      task.loaded = loaded;
      task.parts[0].loaded = loaded;
      this.progress(task);
    });
    task.parts[0].done = true;
    await this.complete(task, signal);
  }

  private async multipart(task: UploadTask, file: File, signal: AbortSignal, partSize: number, fresh: PartUrl[] | null) {
    const count = Math.max(1, Math.ceil(file.size / partSize));
    const sizeOf = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
    const etags = new Map<number, string>();
    let urls = new Map<number, string>();
    if (fresh) fresh.forEach((p) => urls.set(p.partNumber, p.url));
    else {
      const state = await api.parts(task.uploadKey!);
      for (const u of state.uploaded) if (u.size === sizeOf(u.partNumber)) etags.set(u.partNumber, u.etag);
      state.parts.forEach((p) => urls.set(p.partNumber, p.url));
    }
    const parts: PartState[] = Array.from({ length: count }, (_, i) => {
      const n = i + 1;
      return { partNumber: n, size: sizeOf(n), loaded: etags.has(n) ? sizeOf(n) : 0, done: etags.has(n) };
    });
    const already = parts.reduce((s, p) => s + p.loaded, 0);
    this.update(task, { status: "uploading", parts, loaded: already }, true);
    this.samples.delete(task.id);

    const refreshUrls = async () => {
      const state = await api.parts(task.uploadKey!);
      urls = new Map(state.parts.map((p) => [p.partNumber, p.url]));
    };
    const todo = parts.filter((p) => !p.done).map((p) => p.partNumber);
    const workerLoop = async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        const part = parts[n - 1];
        for (let attempt = 0; ; attempt++) {
          this.check(signal);
          if (!urls.has(n)) await refreshUrls();
          const url = urls.get(n);
          if (!url) throw new Error(`no upload URL for part ${n}`);
          try {
            const body = file.slice((n - 1) * partSize, (n - 1) * partSize + part.size);
            const etag = await put(url, body, {}, signal, (loaded) => {
              task.loaded += loaded - part.loaded;
              part.loaded = loaded;
              this.progress(task);
            });
            if (etag) etags.set(n, etag);
            part.done = true;
            break;
          } catch (e) {
            if (e instanceof Paused || attempt >= PART_RETRIES) throw e;
            task.loaded -= part.loaded;
            part.loaded = 0;
            if ((e as { status?: number }).status === 403) urls.delete(n); // presigned URL expired
            await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, todo.length || 1) }, workerLoop));
    this.check(signal);
    if (etags.size < count) {
      // The storage did not expose ETag to the page (CORS): ask the API what it has.
      const state = await api.parts(task.uploadKey!);
      for (const u of state.uploaded) etags.set(u.partNumber, u.etag);
    }
    await this.complete(task, signal, [...etags].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag })));
  }

  private async complete(task: UploadTask, signal: AbortSignal, parts?: { partNumber: number; etag: string }[]) {
    this.check(signal);
    this.update(task, { status: "completing", loaded: task.size }, true);
    const result = await api.callback(task.uploadKey!, parts);
    this.forget(task.uploadKey!);
    this.update(task, { file: result.file });
  }
}

export const uploads = new UploadManager();

/** Files (and folders, recursively) from a drop event, with their paths relative to the drop. */
export async function filesFromDrop(dt: DataTransfer): Promise<{ file: File; relPath?: string }[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === "file")
    .map((i) => (i as DataTransferItem & { webkitGetAsEntry?(): FileSystemEntry | null }).webkitGetAsEntry?.() ?? null);
  if (entries.every((e) => !e)) return Array.from(dt.files).map((file) => ({ file }));
  const out: { file: File; relPath?: string }[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
      out.push({ file, relPath: prefix ? `${prefix}/${file.name}` : undefined });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
        if (!batch.length) break;
        for (const child of batch) await walk(child, path);
      }
    }
  };
  for (const e of entries) if (e) await walk(e, "");
  return out;
}

/** Files from an `<input webkitdirectory>`: webkitRelativePath carries the folder path. */
export const filesFromInput = (list: FileList | null) =>
  Array.from(list ?? []).map((file) => ({ file, relPath: file.webkitRelativePath || undefined }));
