// Shared plumbing for the local services: where state lives, detached processes with pid and log
// files, a cross-process lock, readiness polling, and errors that carry the tail of a log file.
import { spawn, type SpawnOptions } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { osUser, pidAlive, readPid, readText, sleep } from "@polaris/local/process";

// The process helpers the local runtime needs too live in it; the installers take them from here.
export { osUser, pidAlive, readPid, readText, sleep };

/** The repository root, found from this file (infra-local/services/util.ts), not from the cwd. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** This folder: infra-local/services. */
export const servicesSrcDir = join(repoRoot, "infra-local", "services");
/** Everything the services keep on disk lives under here (git-ignored). */
export const polarisDir = join(repoRoot, ".polaris");

export function stateDir(name: string): string {
  const dir = join(polarisDir, "services", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export type Log = (line: string) => void;

export function secondsSince(t0: number): string {
  return `${((Date.now() - t0) / 1000).toFixed(1)}s`;
}

export function tailFile(file: string | undefined, lines = 40): string {
  if (!file || !existsSync(file)) return `(no log file${file ? ` at ${file}` : ""})`;
  try {
    const size = statSync(file).size;
    const fd = openSync(file, "r");
    try {
      const len = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(len);
      // read the last 64 KiB at most
      let off = 0;
      while (off < len) {
        const n = readSync(fd, buf, off, len - off, size - len + off);
        if (n <= 0) break;
        off += n;
      }
      return buf.toString("utf8").split("\n").slice(-lines).join("\n");
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return `(could not read ${file}: ${(e as Error).message})`;
  }
}

/** An Error that names the service, says why, and carries the tail of its log file. */
export function serviceError(service: string, why: string, logFile?: string, cause?: unknown): Error {
  const causeText = cause instanceof Error ? `: ${cause.message}` : cause !== undefined ? `: ${String(cause)}` : "";
  const msg =
    `local service "${service}" failed: ${why}${causeText}` +
    (logFile ? `\n--- last lines of ${logFile} ---\n${tailFile(logFile)}\n--- end of ${logFile} ---` : "");
  const err = new Error(msg);
  if (cause !== undefined) (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/** Resident memory of a process in MiB (from /proc), if it is running. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a process detached (own session and process group), stdout+stderr appended to logFile,
 * its pid written to pidFile, so that it outlives this process and `down` can stop it from another.
 */
export function spawnDetached(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; pidFile: string },
): number {
  // keep one previous log when it grows past 8 MiB
  try {
    if (statSync(opts.logFile).size > 8 * 1024 * 1024) renameSync(opts.logFile, `${opts.logFile}.1`);
  } catch {
    /* no log yet */
  }
  const fd = openSync(opts.logFile, "a");
  try {
    writeFileSync(fd, `\n===== ${new Date().toISOString()} starting: ${cmd} ${args.join(" ")}\n`);
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    if (!child.pid) throw new Error(`could not start ${cmd}`);
    child.on("error", () => {}); // reported through the readiness check and the log
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Sends SIGTERM to a process group (falls back to the pid), waits, then SIGKILL. */
export async function stopPid(pid: number, timeoutMs = 20_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  if (!pidAlive(pid)) return;
  signal("SIGTERM");
  const t0 = Date.now();
  while (pidAlive(pid) && Date.now() - t0 < timeoutMs) await sleep(100);
  if (pidAlive(pid)) {
    signal("SIGKILL");
    const t1 = Date.now();
    while (pidAlive(pid) && Date.now() - t1 < 5_000) await sleep(100);
  }
}

export interface RunResult {
  code: number;
  output: string;
}

/**
 * Runs a command to completion; its output is appended to logFile (if given) and returned.
 * Rejects only if it could not be spawned; callers check `code`.
 */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile?: string; timeoutMs?: number; detached?: boolean } = {},
): Promise<RunResult> {
  return new Promise((resolveRun, rejectRun) => {
    let fd: number | undefined;
    if (opts.logFile) {
      fd = openSync(opts.logFile, "a");
      writeFileSync(fd, `\n===== ${new Date().toISOString()} $ ${cmd} ${args.join(" ")}\n`);
    }
    const spawnOpts: SpawnOptions = {
      cwd: opts.cwd ?? repoRoot,
      env: opts.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: opts.detached ?? false,
    };
    const child = spawn(cmd, args, spawnOpts);
    const chunks: Buffer[] = [];
    const onData = (d: Buffer) => {
      chunks.push(d);
      if (fd !== undefined) writeFileSync(fd, d);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        onData(Buffer.from(`\n[polaris] timed out after ${opts.timeoutMs} ms, killing\n`));
        try {
          child.kill("SIGKILL");
        } catch {
          /* ignore */
        }
      }, opts.timeoutMs);
    }
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      rejectRun(e);
    });
    child.on("close", (code, sig) => {
      if (timer) clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      resolveRun({ code: code ?? (sig ? 128 : 1), output: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/** True if something accepts TCP connections on host:port. */
export function portOpen(port: number, host = "127.0.0.1", timeoutMs = 1_000): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ port, host });
    const done = (v: boolean) => {
      s.removeAllListeners();
      s.destroy();
      r(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

export async function httpGet(url: string, timeoutMs = 3_000): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/**
 * Polls `ready` until it returns true; fails early if `alive` says the process died.
 * Throws a plain Error (callers wrap it with serviceError).
 */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; alive?: () => boolean },
): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await ready()) return;
    if (opts.alive && !opts.alive()) throw new Error(`the process exited before ${what}`);
    if (Date.now() - t0 > opts.timeoutMs) throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${what}`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/** sha256 over files and folders (recursively, sorted), for build caches. */
export function hashPaths(paths: string[]): string {
  const h = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p)) {
      h.update(`missing:${p}\n`);
      return;
    }
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else {
      h.update(`${p.slice(repoRoot.length)}\n`);
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(p);
  return h.digest("hex");
}

/**
 * A lock shared by every process on this machine (mkdir is atomic). A lock whose owner died is
 * taken over. Serializes install/start/stop of one service across test workers and CLIs.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, timeoutMs = 20 * 60_000): Promise<T> {
  const dir = join(stateDir(name), ".lock");
  const ownerFile = join(dir, "owner");
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(ownerFile, `${process.pid}\n`);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = readPid(ownerFile);
      let stale = owner !== undefined && owner !== process.pid && !pidAlive(owner);
      if (owner === undefined) {
        // the owner may be between mkdir and writing its pid: only stale if old
        try {
          stale = Date.now() - statSync(dir).mtimeMs > 10_000;
        } catch {
          stale = false;
        }
      }
      if (stale) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - t0 > timeoutMs) {
        throw serviceError(name, `timed out waiting for the lock ${dir} (held by pid ${owner ?? "?"})`);
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
