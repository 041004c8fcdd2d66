// Process plumbing the local runtime shares with the service installers: pid files, liveness, OS users.
import { readFileSync } from "node:fs";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * True if the process runs (not a zombie). With `cmdlineIncludes`, also checks that it is the
 * process we think it is (a pid file that outlived a reboot may name an unrelated process).
 */
export function pidAlive(pid: number | undefined, cmdlineIncludes?: string): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  if (cmdlineIncludes !== undefined) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").includes(cmdlineIncludes)) return false;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // a zombie (exited, not yet reaped by its parent) still answers kill(0)
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return true;
  }
}

/** The uid and gid of an OS user, from /etc/passwd, if it exists. */
export function osUser(name: string): { uid: number; gid: number } | undefined {
  const entry = (readText("/etc/passwd") ?? "")
    .split("\n")
    .map((line) => line.split(":"))
    .find((f) => f[0] === name);
  return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : undefined;
}

export function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, "utf8").trim().split("\n")[0]);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
