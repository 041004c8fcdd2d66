// PostgreSQL from Debian's `postgresql` package, as a private cluster of the project's own:
// data under .polaris/services/postgres/data, listening on 127.0.0.1:15432 only.
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { osUser, pidAlive, portOpen, readPid, repoRoot, run, secondsSince, serviceError, stateDir, stopPid, type Log } from "./util";

const NAME = "postgres";

export function pgPort(): number {
  // Below Linux's ephemeral ports, which client sockets can hold (README.md beside this file).
  return Number(process.env.POLARIS_PG_PORT || 15432);
}

export function pgUrl(port = pgPort()): string {
  return `postgres://polaris:polaris@127.0.0.1:${port}/polaris`;
}

const isRoot = () => process.getuid?.() === 0;

const postgresUser = () => osUser("postgres");

/** The newest /usr/lib/postgresql/<major>/bin, or the one matching an existing cluster's PG_VERSION. */
function pgBinDir(dataDir?: string): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  if (dataDir && existsSync(join(dataDir, "PG_VERSION"))) {
    const v = readFileSync(join(dataDir, "PG_VERSION"), "utf8").trim();
    if (majors.includes(v)) return join(root, v, "bin");
  }
  return majors[0] ? join(root, majors[0], "bin") : undefined;
}

interface Location {
  /** folder owned by the postgres OS user: data/, the server log, maybe the socket dir */
  home: string;
  data: string;
  log: string;
  sock: string;
}

/**
 * Where the cluster lives. Normally .polaris/services/postgres (chowned to the postgres user).
 * The server refuses to run as root, so the postgres OS user must be able to reach that folder;
 * if a parent folder of the repo is not traversable by it (e.g. a clone under /root, mode 700),
 * the cluster goes to /var/lib/postgresql/polaris-<hash of the repo path> instead, and
 * .polaris/services/postgres/location says where.
 */
async function location(): Promise<Location> {
  const sd = stateDir(NAME);
  let home = sd;
  if (isRoot()) {
    const u = postgresUser();
    if (!u) throw serviceError(NAME, "the postgres OS user does not exist (is Debian's postgresql package installed?)");
    chownSync(sd, u.uid, u.gid);
    const probe = await run("runuser", ["-u", "postgres", "--", "test", "-w", sd], { cwd: "/" });
    if (probe.code !== 0) {
      const hash = createHash("sha256").update(repoRoot).digest("hex").slice(0, 12);
      home = `/var/lib/postgresql/polaris-${hash}`;
      mkdirSync(home, { recursive: true });
      chownSync(home, u.uid, u.gid);
      chmodSync(home, 0o700);
    }
  }
  writeFileSync(join(sd, "location"), `${home}\n`);
  const data = join(home, "data");
  // unix socket paths are limited to ~107 bytes: fall back to a short folder under /tmp
  let sock = join(home, "run");
  if (`${sock}/.s.PGSQL.${pgPort()}.lock`.length > 100) {
    sock = `/tmp/polaris-pg-${createHash("sha256").update(repoRoot).digest("hex").slice(0, 12)}`;
  }
  return { home, data, log: join(home, "postgres.log"), sock };
}

/** Runs a PostgreSQL tool as the postgres OS user (root) or as ourselves (non-root). */
function asPostgres(bin: string, args: string[], logFile?: string, detached = false) {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" };
  delete env.PGHOST;
  delete env.PGPORT;
  delete env.PGUSER;
  delete env.PGPASSWORD;
  delete env.PGDATABASE;
  return isRoot()
    ? run("runuser", ["-u", "postgres", "--", bin, ...args], { cwd: "/", env, logFile, detached })
    : run(bin, args, { cwd: "/", env, logFile, detached });
}

async function canLogin(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl(port), connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The postmaster's pid if it runs (checked against its command line: `postgres -D <data>`). */
function postmasterPid(loc: Location): number | undefined {
  const pid = readPid(join(loc.data, "postmaster.pid"));
  return pidAlive(pid, `-D ${loc.data}`) ? pid : undefined;
}

/** postmaster.pid: line 1 pid, 2 data dir, 3 start time, 4 port, 5 socket dir, ... */
function postmasterPort(loc: Location): number | undefined {
  try {
    const n = Number(readFileSync(join(loc.data, "postmaster.pid"), "utf8").split("\n")[3]);
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function ensureInstalled(log: Log): Promise<string> {
  const existing = pgBinDir();
  if (existing) return existing;
  const installLog = join(stateDir(NAME), "install.log");
  if (!isRoot()) {
    throw serviceError(
      NAME,
      "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl) and this process is not root: run apt-get install -y postgresql",
    );
  }
  const t0 = Date.now();
  log(`[postgres] installing Debian package postgresql (apt-get install -y postgresql), log: ${installLog}`);
  // Keep apt from starting Debian's default cluster: a policy-rc.d that refuses service starts,
  // only for the duration of our install and only if the machine has none of its own.
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\n# polaris: do not start services during apt installs\nexit 101\n", { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    let r = await run("apt-get", ["install", "-y", "postgresql"], { env, logFile: installLog });
    if (r.code !== 0) {
      log("[postgres] apt-get install failed; running apt-get update and trying again");
      await run("apt-get", ["update"], { env, logFile: installLog });
      r = await run("apt-get", ["install", "-y", "postgresql"], { env, logFile: installLog });
    }
    if (r.code !== 0) throw serviceError(NAME, `apt-get install -y postgresql exited with ${r.code}`, installLog);
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const bin = pgBinDir();
  if (!bin) throw serviceError(NAME, "apt-get install postgresql succeeded but no /usr/lib/postgresql/*/bin/pg_ctl exists", installLog);
  log(`[postgres] installed in ${secondsSince(t0)}`);
  return bin;
}

function writeConfig(loc: Location, port: number) {
  // Included from postgresql.conf; rewritten at every start so POLARIS_PG_PORT can change.
  const conf = [
    "# written by infra-local/services/postgres.ts at every start: a throwaway dev cluster",
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${loc.sock}'`,
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 200",
    "shared_buffers = 128MB",
    "log_line_prefix = '%m [%p] %q%u@%d '",
    "",
  ].join("\n");
  const file = join(loc.data, "polaris.conf");
  writeFileSync(file, conf);
  const main = join(loc.data, "postgresql.conf");
  const text = readFileSync(main, "utf8");
  if (!text.includes("include_if_exists = 'polaris.conf'")) {
    writeFileSync(main, `${text}\n# polaris local settings\ninclude_if_exists = 'polaris.conf'\n`);
  }
  const u = isRoot() ? postgresUser() : undefined;
  mkdirSync(loc.sock, { recursive: true, mode: 0o755 });
  if (u) {
    chownSync(file, u.uid, u.gid);
    chownSync(loc.sock, u.uid, u.gid);
  }
}

async function initCluster(bin: string, loc: Location, log: Log) {
  if (existsSync(join(loc.data, "PG_VERSION"))) return;
  const t0 = Date.now();
  rmSync(loc.data, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
  const initLog = join(stateDir(NAME), "initdb.log");
  const r = await asPostgres(
    join(bin, "initdb"),
    ["-D", loc.data, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256"],
    initLog,
  );
  if (r.code !== 0) throw serviceError(NAME, `initdb exited with ${r.code}`, initLog);
  log(`[postgres] initdb of ${loc.data} took ${secondsSince(t0)}`);
}

async function psql(bin: string, loc: Location, port: number, sql: string): Promise<string> {
  const r = await asPostgres(join(bin, "psql"), [
    "-X",
    "-q",
    "-h",
    loc.sock,
    "-p",
    String(port),
    "-d",
    "postgres",
    "-v",
    "ON_ERROR_STOP=1",
    "-tAc",
    sql,
  ]);
  if (r.code !== 0) throw serviceError(NAME, `psql failed (${sql.slice(0, 80)}…): ${r.output.trim()}`, loc.log);
  return r.output.trim();
}

async function setupRole(bin: string, loc: Location, port: number) {
  await psql(
    bin,
    loc,
    port,
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'polaris') THEN
         CREATE ROLE polaris LOGIN PASSWORD 'polaris' CREATEDB;
       ELSE
         ALTER ROLE polaris LOGIN PASSWORD 'polaris' CREATEDB;
       END IF;
     END $$;`,
  );
  const exists = await psql(bin, loc, port, "SELECT 1 FROM pg_database WHERE datname = 'polaris'");
  if (exists !== "1") await psql(bin, loc, port, "CREATE DATABASE polaris OWNER polaris");
}

export async function upPostgres(log: Log): Promise<{ url: string }> {
  const t0 = Date.now();
  const port = pgPort();
  const url = pgUrl(port);
  if (await canLogin(port)) {
    log(`[postgres] already running at 127.0.0.1:${port}, reused (${secondsSince(t0)})`);
    return { url };
  }
  const bin = await ensureInstalled(log);
  const loc = await location();
  await initCluster(bin, loc, log);
  const pidFile = join(stateDir(NAME), "postgres.pid");

  let pid = postmasterPid(loc);
  const oursOnThisPort = pidAlive(pid) && postmasterPort(loc) === port;
  if (!oursOnThisPort && (await portOpen(port))) {
    throw serviceError(
      NAME,
      `port 127.0.0.1:${port} is taken by something that is not our cluster and does not accept polaris/polaris (set POLARIS_PG_PORT to use another port)`,
    );
  }
  if (pidAlive(pid) && !oursOnThisPort) {
    // ours, but on another port (POLARIS_PG_PORT changed): restart it
    log(`[postgres] our cluster runs on port ${postmasterPort(loc)}, not ${port}: restarting it`);
    await stopCluster(bin, loc);
    pid = undefined;
  }
  if (!pidAlive(pid)) {
    // a postmaster.pid whose process is gone (or is now another program, after a reboot) would
    // make the server refuse to start if that pid runs: remove it
    rmSync(join(loc.data, "postmaster.pid"), { force: true });
    writeConfig(loc, port);
    const tStart = Date.now();
    const startLog = join(stateDir(NAME), "pg_ctl.log");
    // detached: the postmaster gets its own session, so a Ctrl-C in the caller's terminal doesn't reach it
    const r = await asPostgres(join(bin, "pg_ctl"), ["-D", loc.data, "-l", loc.log, "-w", "-t", "120", "start"], startLog, true);
    if (r.code !== 0) throw serviceError(NAME, `pg_ctl start exited with ${r.code}: ${r.output.trim()}`, loc.log);
    log(`[postgres] started in ${secondsSince(tStart)} (data ${loc.data}, log ${loc.log})`);
  }
  pid = postmasterPid(loc);
  if (pid) writeFileSync(pidFile, `${pid}\n`);
  try {
    await setupRole(bin, loc, port);
  } catch (e) {
    throw e instanceof Error && e.message.startsWith("local service")
      ? e
      : serviceError(NAME, "could not create role/database polaris", loc.log, e);
  }
  if (!(await canLogin(port))) throw serviceError(NAME, `the server runs but ${url} does not accept connections`, loc.log);
  log(`[postgres] ready at ${url} in ${secondsSince(t0)}`);
  return { url };
}

async function stopCluster(bin: string | undefined, loc: Location) {
  const pid = postmasterPid(loc);
  if (!pidAlive(pid)) return;
  if (bin) {
    const r = await asPostgres(
      join(bin, "pg_ctl"),
      ["-D", loc.data, "-m", "fast", "-w", "-t", "60", "stop"],
      join(stateDir(NAME), "pg_ctl.log"),
    );
    if (r.code === 0 && !pidAlive(pid)) return;
  }
  await stopPid(pid!, 30_000);
}

export async function downPostgres(): Promise<void> {
  const loc = await location();
  await stopCluster(pgBinDir(loc.data), loc);
  const pidFile = join(stateDir(NAME), "postgres.pid");
  if (existsSync(pidFile)) unlinkSync(pidFile);
}

export async function statusPostgres(): Promise<"running" | "stopped" | "not-installed"> {
  const sd = stateDir(NAME);
  const home = (() => {
    try {
      return readFileSync(join(sd, "location"), "utf8").trim();
    } catch {
      return sd;
    }
  })();
  const data = join(home, "data");
  if (pidAlive(readPid(join(data, "postmaster.pid")), `-D ${data}`)) return "running";
  if (await canLogin(pgPort())) return "running";
  return pgBinDir() && existsSync(join(data, "PG_VERSION")) ? "stopped" : "not-installed";
}
