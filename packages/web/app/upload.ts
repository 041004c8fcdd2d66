/**
 * The upload manager: a small store (for useSyncExternalStore) that runs each file through
 * hash (Web Worker) → instant upload with proof → presign → single PUT or multipart parts → callback.
 * Sessions are kept in localStorage (uploadKey + the file's name, size and lastModified) so that an
 * upload stopped by a pause, a dropped network, a server restart or a page reload continues where
 * it stopped once the same file is chosen again: `upload/parts` lists the parts storage holds whole
 * and hands out fresh URLs for every other one. A failure that resuming cannot fix, and Cancel,
 * end the session at once (`upload/abort`), releasing its quota reservation.
 */
import { api, ApiError, NETWORK_ERROR, type FileItem, type PartUrl } from "./api";
import type { HashRequest, HashResponse } from "./hash.worker";

export type UploadStatus =
  | "queued"
  | "hashing"
  | "checking"
  | "uploading"
  | "completing"
  | "done"
  | "paused"
  | "error"
  | "cancelled"
  /** The folder has an item of that name: waiting for keep both / replace / new version / skip. */
  | "conflict";

/** An answer to a name clash: keep both (the server adds " (n)"), replace (the other goes to the recycle bin), a new version of it, or skip. */
export type ClashAnswer = "keep" | "replace" | "version" | "skip";

export interface PartState {
  partNumber: number;
  size: number;
  loaded: number;
  done: boolean;
}

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
  /** While uploading: waiting for the browser to be online again, for the server to answer again, or for the next attempt after a failure. */
  waiting?: "offline" | "server" | "retry";
  error?: unknown;
  /** Its session was ended on the server (reservation released): the next run starts a new one. */
  released?: boolean;
  file?: FileItem;
  resumed?: boolean;
  /** What the server does with a name clash; unset: it refuses (300013) and the user is asked. */
  onConflict?: "rename" | "version";
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
  expiresAt: number;
  savedAt: number;
}

const STORAGE_KEY = "polaris.uploads";
const PART_CONCURRENCY = 3;
const TASK_CONCURRENCY = 2;
/** Attempts per step after a transient failure; the wait between them doubles from 0.5 s (7.5 s in all). Time offline or with the server down does not count. */
const ATTEMPTS = 5;
const backoff = (attempt: number) => 500 * 2 ** (attempt - 1);

/**
 * Failures worth another attempt on the same session: the network, a server or storage that is
 * down or restarting, or a part storage lacks after all (300027: resuming sends it again).
 * Anything else (content mismatch, session gone, quota…) needs a new session.
 */
export const isTransient = (error: unknown) => {
  const code = (error as { code?: unknown })?.code;
  return code === NETWORK_ERROR || code === 100001 || code === 100007 || code === 300020 || code === 300027;
};

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
const pending = new Map<
  number,
  { resolve(v: { hex: string; base64: string }): void; reject(e: Error): void; progress?(loaded: number): void }
>();
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
        else p.reject(Object.assign(new Error(msg.message), { name: msg.name }));
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

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Paused("aborted"));
    const onAbort = () => (clearTimeout(timer), reject(new Paused("aborted")));
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

const online = (signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Paused("aborted"));
    if (navigator.onLine) return resolve();
    const done = () => (window.removeEventListener("online", done), signal.removeEventListener("abort", stop), resolve());
    const stop = () => (window.removeEventListener("online", done), reject(new Paused("aborted")));
    window.addEventListener("online", done);
    signal.addEventListener("abort", stop, { once: true });
  });

/** `promise`, or Paused as soon as the task is paused or cancelled (the promise itself goes on). */
const unlessAborted = <T>(promise: Promise<T>, signal: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Paused("aborted"));
    const stop = () => reject(new Paused("aborted"));
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });

/** PUT with upload progress (fetch has none). */
function put(
  url: string,
  body: Blob,
  headers: Record<string, string>,
  signal: AbortSignal,
  onProgress: (loaded: number) => void,
): Promise<void> {
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
        resolve();
      } else reject(new ApiError(300020, `storage answered HTTP ${xhr.status}`, xhr.status));
    };
    xhr.onerror = () => reject(new ApiError(NETWORK_ERROR, "network error while uploading", 0));
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
  /** Each task's run in flight: pause, resume and cancel wait for it to stop before going on. */
  private runs = new Map<string, Promise<void>>();
  /** A hash outlives a pause: the resumed run waits for the same one. */
  private hashes = new Map<string, Promise<string>>();
  private samples = new Map<string, { t: number; bytes: number }[]>();
  private listeners = new Set<Listener>();
  private completedListeners = new Set<(task: UploadTask) => void>();
  private quotaListeners = new Set<Listener>();
  private snapshot: { tasks: UploadTask[]; saved: SavedSession[] } = { tasks: [], saved: loadSessions() };
  private folderCache = new Map<string, Promise<string>>();
  private emitTimer: number | null = null;

  constructor() {
    // Back online: uploads that stopped on the network go on by themselves.
    window.addEventListener("online", () => {
      for (const t of this.tasks) if (t.status === "error" && isTransient(t.error)) void this.resume(t.id);
    });
  }

  subscribe = (l: Listener) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;
  onCompleted(l: (task: UploadTask) => void) {
    this.completedListeners.add(l);
    return () => this.completedListeners.delete(l);
  }
  /** The reserved quota changed: a session opened or ended. */
  onQuotaChange(l: Listener) {
    this.quotaListeners.add(l);
    return () => this.quotaListeners.delete(l);
  }
  private quotaChanged() {
    for (const l of this.quotaListeners) l();
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
      const relDir = relPath?.includes("/") ? relPath.slice(0, relPath.lastIndexOf("/")) : "";
      const active = new Set(this.tasks.filter((t) => !["done", "cancelled"].includes(t.status)).map((t) => t.uploadKey));
      const saved = relDir
        ? undefined
        : loadSessions().find((s) => sameFile(s, file) && s.parentId === parentId && !active.has(s.uploadKey));
      this.queue(file, { parentId, relDir, hash: saved?.hash, uploadKey: saved?.uploadKey, mode: saved?.mode, resumed: !!saved });
    }
    this.emit(true);
    this.pump();
  }

  /** Continue a session saved before a reload with the file the user picked again. */
  resumeSaved(session: SavedSession, file: File): boolean {
    if (!sameFile(session, file)) return false;
    this.queue(file, {
      parentId: session.parentId,
      relDir: "",
      hash: session.hash,
      uploadKey: session.uploadKey,
      mode: session.mode,
      resumed: true,
    });
    this.emit(true);
    this.pump();
    return true;
  }

  private queue(file: File, fields: Pick<UploadTask, "parentId" | "relDir" | "hash" | "uploadKey" | "mode" | "resumed">) {
    const id = crypto.randomUUID();
    this.files.set(id, file);
    this.tasks.push({
      id,
      name: file.name,
      size: file.size,
      lastModified: file.lastModified,
      ...fields,
      status: "queued",
      hashLoaded: fields.hash ? file.size : 0,
      loaded: 0,
      parts: [],
      speed: 0,
      eta: Infinity,
    });
  }

  /** Gives up a saved session: its reservation is released now; false (still listed) when the server cannot be reached. */
  async discardSaved(session: SavedSession) {
    const ended = await this.end(session.uploadKey);
    this.emit(true);
    return ended;
  }

  pause(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || ["done", "cancelled", "error", "paused", "conflict"].includes(task.status)) return;
    this.controllers.get(id)?.abort();
    this.update(task, { status: "paused", speed: 0, waiting: undefined }, true);
    this.pump();
  }

  async resume(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || !["paused", "error"].includes(task.status)) return;
    await this.runs.get(id);
    if (!["paused", "error"].includes(task.status)) return;
    this.update(task, { status: "queued", error: undefined }, true);
    this.pump();
  }

  async cancel(id: string) {
    const task = this.tasks.find((t) => t.id === id);
    if (!task || ["done", "cancelled"].includes(task.status)) return;
    this.controllers.get(id)?.abort();
    this.update(task, { status: "cancelled", speed: 0, waiting: undefined }, true);
    await this.runs.get(id);
    // The run may have finished the upload in the meantime: then there is nothing to release.
    if (task.status === "cancelled") await this.release(task);
    this.pump();
  }

  clearFinished() {
    const finished = this.tasks.filter((t) => ["done", "cancelled"].includes(t.status));
    for (const t of finished) for (const held of [this.files, this.hashes, this.samples]) held.delete(t.id);
    this.tasks = this.tasks.filter((t) => !finished.includes(t));
    this.emit(true);
  }

  /** Answers a name clash of one upload, or (no id) of every upload waiting on one. */
  async resolveConflict(id: string | null, answer: ClashAnswer) {
    const waiting = this.tasks.filter((t) => t.status === "conflict" && (id === null || t.id === id));
    for (const task of waiting) {
      if (answer === "skip") {
        this.update(task, { status: "cancelled" }, true);
        continue;
      }
      if (answer === "replace") {
        try {
          await this.trashNamesake(task);
        } catch (error) {
          this.update(task, { status: "error", error }, true);
          continue;
        }
      }
      this.update(
        task,
        { status: "queued", onConflict: answer === "keep" ? "rename" : answer === "version" ? "version" : undefined },
        true,
      );
    }
    this.pump();
  }

  /** Replace: the item of that name goes to the recycle bin (where it can be restored from). */
  private async trashNamesake(task: UploadTask) {
    let cursor: string | undefined;
    for (;;) {
      const page = await api.list({ parentId: task.parentId, pageSize: 1000, cursor, orderBy: "name", order: "asc" });
      const hit = page.list.find((f) => f.name === task.name);
      if (hit) return void (await api.remove([hit.identity]));
      if (!page.nextCursor || page.list.length === 0) return;
      cursor = page.nextCursor;
    }
  }

  /**
   * Refuses before hashing what the quota cannot hold (hashing a big file takes a while); the
   * server checks again when it reserves the space.
   */
  private async checkQuota(size: number) {
    const q = await api.quota();
    if (size > q.totalSize - q.usedSize - q.reservedSize) throw new ApiError(200004, "the file is larger than the free space", 0);
  }

  private save(session: SavedSession) {
    storeSessions([...loadSessions().filter((s) => s.uploadKey !== session.uploadKey), session]);
  }
  private forget(uploadKey: string) {
    storeSessions(loadSessions().filter((s) => s.uploadKey !== uploadKey));
  }

  /**
   * Ends a session on the server (`upload/abort`: reservation and stored parts released) and
   * forgets it; false when the server could not be reached, and then it stays saved for later.
   */
  private async end(uploadKey: string) {
    const saved = loadSessions().find((s) => s.uploadKey === uploadKey);
    this.forget(uploadKey);
    try {
      await api.abort(uploadKey);
    } catch (e) {
      if (isTransient(e)) {
        if (saved) this.save(saved);
        return false;
      }
    }
    this.quotaChanged();
    return true;
  }

  /** The task lets go of its session; its next run starts a new one. */
  private async release(task: UploadTask) {
    const key = task.uploadKey;
    if (!key) return;
    Object.assign(task, { uploadKey: undefined, mode: undefined, released: true });
    await this.end(key);
    this.emit(true);
  }

  private pump() {
    const running = this.tasks.filter((t) => ["hashing", "checking", "uploading", "completing"].includes(t.status)).length;
    const next = this.tasks.filter((t) => t.status === "queued" && !this.runs.has(t.id)).slice(0, Math.max(0, TASK_CONCURRENCY - running));
    for (const task of next) {
      const controller = new AbortController();
      this.controllers.set(task.id, controller);
      this.update(task, { status: task.hash ? "checking" : "hashing" }, true);
      const run = this.run(task, controller.signal)
        .then(() => {
          this.update(task, { status: "done", speed: 0, eta: 0, waiting: undefined }, true);
          for (const l of this.completedListeners) l(task);
        })
        .catch(async (error) => {
          if (error instanceof Paused || controller.signal.aborted) return;
          if ((error as ApiError).code === 300013 && !task.onConflict && !task.uploadKey)
            return this.update(task, { status: "conflict", speed: 0, waiting: undefined }, true);
          // Resuming cannot fix this one: free the reservation now rather than in a day.
          if (!isTransient(error)) await this.release(task);
          this.update(task, { status: "error", error, speed: 0, waiting: undefined }, true);
          console.error(`upload of ${task.name} failed`, error);
        })
        .finally(() => {
          this.controllers.delete(task.id);
          this.runs.delete(task.id);
          this.pump();
        });
      this.runs.set(task.id, run);
    }
  }

  private check(signal: AbortSignal) {
    if (signal.aborted) throw new Paused("paused");
  }

  /**
   * Runs `step` until it succeeds. A transient failure is tried again after a backoff, at most
   * ATTEMPTS times. While the browser is offline it waits for the network, and while the server
   * does not answer at all (restarting) it waits for the server, without counting either.
   */
  private async retrying<T>(task: UploadTask, signal: AbortSignal, step: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1, waits = 0; ; attempt++) {
      this.check(signal);
      try {
        const result = await step(attempt);
        if (task.waiting) this.update(task, { waiting: undefined });
        return result;
      } catch (e) {
        if (e instanceof Paused || !isTransient(e)) throw e;
        if (!navigator.onLine) {
          this.update(task, { waiting: "offline", speed: 0 }, true);
          await online(signal);
          attempt = 0;
        } else if ((e as ApiError).code === NETWORK_ERROR && !(await api.reachable())) {
          this.update(task, { waiting: "server", speed: 0 }, true);
          await sleep(Math.min(8000, backoff(++waits)), signal);
          attempt = 0;
        } else {
          if (attempt >= ATTEMPTS) throw e;
          this.update(task, { waiting: "retry" }, true);
          await sleep(backoff(attempt), signal);
        }
      }
    }
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

  private hashOf(task: UploadTask, file: File) {
    let hash = this.hashes.get(task.id);
    if (!hash) {
      hash = runHash({ type: "hash", file }, (loaded) => this.update(task, { hashLoaded: loaded })).then((r) => r.hex);
      hash.catch(() => this.hashes.delete(task.id));
      this.hashes.set(task.id, hash);
    }
    return hash;
  }

  private async run(task: UploadTask, signal: AbortSignal) {
    const file = this.files.get(task.id)!;
    if (task.relDir) {
      task.parentId = await this.ensureFolder(task.parentId, task.relDir);
      task.relDir = "";
    }
    this.check(signal);

    if (!task.uploadKey) await this.checkQuota(file.size);
    if (!task.hash) {
      const hex = await unlessAborted(this.hashOf(task, file), signal);
      this.update(task, { hash: hex, hashLoaded: file.size });
    }
    this.check(signal);

    if (task.uploadKey && (await this.continueSession(task, file, signal))) return;

    this.update(task, { status: "checking" }, true);
    const hash = task.hash!;
    const base = { hash, size: file.size, name: file.name, parentId: task.parentId, onConflict: task.onConflict ?? ("fail" as const) };
    const first = await api.instant(base);
    if (first.exists && "challenge" in first) {
      const { hex: proof } = await unlessAborted(runHash({ type: "proof", file, ...first.challenge }), signal);
      try {
        const second = await api.instant({ ...base, proof });
        if (second.exists && "identity" in second) {
          this.update(task, { instant: true, file: second.file, loaded: file.size });
          return;
        }
      } catch (e) {
        if ((e as ApiError).code !== 300026) throw e; // a failed proof falls back to a normal upload
      }
    } else if (first.exists && "identity" in first) {
      this.update(task, { instant: true, file: first.file, loaded: file.size });
      return;
    }
    this.check(signal);

    const plan = await api.presign({ ...base, mimeType: file.type || "application/octet-stream" });
    this.save({
      uploadKey: plan.uploadKey,
      name: file.name,
      size: file.size,
      lastModified: file.lastModified,
      parentId: task.parentId,
      hash,
      mode: plan.mode,
      expiresAt: plan.expiresAt,
      savedAt: Date.now(),
      ...(plan.mode === "multipart" ? { partSize: plan.partSize } : {}),
    });
    this.update(task, { uploadKey: plan.uploadKey, mode: plan.mode, released: false }, true);
    this.quotaChanged();
    // API.md: a single plan carries uploadUrl, a multipart one partSize and parts.
    if (plan.mode === "single") return this.single(task, file, signal, plan.uploadUrl!, plan.headers ?? {});
    return this.multipart(task, file, signal, plan.partSize!, plan.parts!);
  }

  /**
   * Continues the task's session; false when the server no longer has it pending (expired,
   * aborted, failed), and then it is released and a new one starts.
   */
  private async continueSession(task: UploadTask, file: File, signal: AbortSignal) {
    const saved = loadSessions().find((s) => s.uploadKey === task.uploadKey);
    if (saved?.mode === "multipart") {
      try {
        await this.multipart(task, file, signal, saved.partSize!, null);
        return true;
      } catch (e) {
        if ((e as ApiError).code !== 300024) throw e;
      }
    }
    // A single PUT keeps no parts; either way, confirm the upload if its bytes had all landed
    // (the page may have gone between the last byte and the callback).
    this.update(task, { status: "checking" }, true);
    try {
      const result = await api.callback(task.uploadKey!);
      this.forget(task.uploadKey!);
      this.update(task, { file: result.file, loaded: file.size });
      return true;
    } catch (e) {
      if (isTransient(e)) throw e;
    }
    await this.release(task);
    return false;
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
    await this.retrying(task, signal, () =>
      put(url, file, headers, signal, (loaded) => {
        task.loaded = loaded;
        task.parts[0].loaded = loaded;
        this.progress(task);
      }),
    );
    task.parts[0].done = true;
    await this.complete(task, signal);
  }

  private async multipart(task: UploadTask, file: File, signal: AbortSignal, partSize: number, fresh: PartUrl[] | null) {
    const count = Math.max(1, Math.ceil(file.size / partSize));
    const sizeOf = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
    const stored = new Set<number>();
    const urls = new Map<number, string>();
    /** What storage holds whole, and fresh URLs for every other part. */
    const refresh = async () => {
      const state = await api.parts(task.uploadKey!);
      for (const u of state.uploaded) stored.add(u.partNumber);
      for (const p of state.parts) urls.set(p.partNumber, p.url);
    };
    if (fresh) fresh.forEach((p) => urls.set(p.partNumber, p.url));
    else await this.retrying(task, signal, refresh);
    const parts: PartState[] = Array.from({ length: count }, (_, i) => {
      const n = i + 1;
      return { partNumber: n, size: sizeOf(n), loaded: stored.has(n) ? sizeOf(n) : 0, done: stored.has(n) };
    });
    const already = parts.reduce((s, p) => s + p.loaded, 0);
    this.update(task, { status: "uploading", parts, loaded: already }, true);
    this.samples.delete(task.id);

    const todo = parts.filter((p) => !p.done).map((p) => p.partNumber);
    const workerLoop = async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        const part = parts[n - 1];
        await this.retrying(task, signal, async (attempt) => {
          // After a failure: fresh URLs (an expired one, or a restarted server's storage address),
          // and the stored state (the failed PUT may have landed after all).
          if (attempt > 1) await refresh();
          if (!stored.has(n)) {
            const url = urls.get(n);
            // Transient: the next attempt asks for fresh URLs (upload/parts) before sending the part.
            if (!url) throw new ApiError(300027, `no upload URL for part ${n}`, 0);
            const body = file.slice((n - 1) * partSize, (n - 1) * partSize + part.size);
            try {
              await put(url, body, {}, signal, (loaded) => {
                task.loaded += loaded - part.loaded;
                part.loaded = loaded;
                this.progress(task);
              });
            } catch (e) {
              task.loaded -= part.loaded;
              part.loaded = 0;
              throw e;
            }
          }
          task.loaded += part.size - part.loaded;
          part.loaded = part.size;
          part.done = true;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, todo.length || 1) }, workerLoop));
    // The callback completes from the parts storage holds whole (no ETags needed from the page).
    await this.complete(task, signal);
  }

  private async complete(task: UploadTask, signal: AbortSignal) {
    this.check(signal);
    this.update(task, { status: "completing", loaded: task.size }, true);
    const result = await this.retrying(task, signal, () => api.callback(task.uploadKey!));
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
