import { readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import autocannon from "autocannon";
import pg from "pg";

export type Figures = Record<string, number>;

export interface LoadTarget {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** A body per request (a new folder name each time), instead of `body`. */
  bodies?: () => string;
}

/** Clock ticks per second of /proc's utime and stime (`getconf CLK_TCK`: 100 on Linux). */
const TICKS_PER_S = 100;

interface Proc {
  comm: string;
  ppid: number;
  ticks: number;
}

/** Every process's name, parent and utime + stime (ticks), from /proc/<pid>/stat. */
export function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const rest = stat.slice(close + 2).split(" ");
      out.set(Number(entry), {
        comm: stat.slice(stat.indexOf("(") + 1, close),
        ppid: Number(rest[1]),
        ticks: Number(rest[11]) + Number(rest[12]),
      });
    } catch {
      // gone between the listing and the read
    }
  }
  return out;
}

/** `root` and every process under it. */
function tree(procs: Map<number, Proc>, root: number): Set<number> {
  const out = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs) if (!out.has(pid) && out.has(p.ppid)) out.add(pid), (grew = true);
  }
  return out;
}

/** CPU ticks of the postmaster's children (the backends, the WAL writer, …) in a snapshot. */
const backendTicks = (procs: Map<number, Proc>, postmaster: number) =>
  [...procs.values()].filter((p) => p.ppid === postmaster).reduce((sum, p) => sum + p.ticks, 0);

/**
 * The postmaster of the PostgreSQL server at `url`: the parent of the backend a connection gets
 * (children of other clusters on the machine are not counted).
 */
export async function postmasterOf(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const ppid = processes().get(rows[0].pid)?.ppid;
    if (!ppid) throw new Error(`the backend ${rows[0].pid} of ${new URL(url).host} is not a process on this machine`);
    return ppid;
  } finally {
    await client.end();
  }
}

/** A process's command line, shortened (`node /tmp/x/server.mts`), if it is still there. */
function commandLine(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    if (!args.length) return undefined;
    // The program and what it runs, not the loader flags before the script (`--import tsx`, …).
    const shown = [args[0].split("/").pop()!];
    for (let i = 1; i < args.length; i++) {
      if (shown.length === 1 && /^(--require|--import|--loader|-r)$/.test(args[i])) i++;
      else if (shown.length > 1 || !args[i].startsWith("-")) shown.push(args[i]);
    }
    const line = shown.join(" ");
    return line.length > 90 ? `${line.slice(0, 89)}…` : line;
  } catch {
    return undefined;
  }
}

/** What happened on the machine that was not the measurement: one line per busy measurement, for the report. */
export const machineNotes: string[] = [];

/**
 * Says (in the progress and in `machineNotes`) when the machine was busy during a measurement: load
 * average (less the cores this bench's processes used) above the core count, or a process that is
 * neither this bench nor one it started (nor a server it measures: the PostgreSQL cluster, OpenSearch)
 * above 20 % of a core over the window, named by its command line.
 */
function checkMachine(
  name: string,
  before: Map<number, Proc>,
  after: Map<number, Proc>,
  seconds: number,
  measured: (number | undefined)[],
): boolean {
  const ours = tree(after, process.pid);
  for (const root of measured) if (root) for (const pid of tree(after, root)) ours.add(pid);
  // A process started inside the window used all its ticks inside it.
  const busy = [...after]
    .filter(([pid]) => !ours.has(pid))
    .map(([pid, p]) => ({ pid, comm: p.comm, share: (p.ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_S / seconds }))
    .filter((p) => p.share > 0.2)
    .sort((a, b) => b.share - a.share);
  // The load average counts this bench's own processes too (a 50-client load keeps the server, the
  // load generator and PostgreSQL runnable: about 2 on its own); the cores they used over the window
  // come off it before it is set beside the core count.
  const oursInCores =
    [...ours].reduce((sum, pid) => sum + Math.max(0, (after.get(pid)?.ticks ?? 0) - (before.get(pid)?.ticks ?? 0)), 0) /
    TICKS_PER_S /
    seconds;
  const load1 = loadavg()[0];
  const others = load1 - oursInCores;
  const reasons = [
    ...(others > cpus().length
      ? [`load average ${load1.toFixed(2)}, ${others.toFixed(2)} without this bench, above ${cpus().length} cores`]
      : []),
    ...busy.map((p) => `${commandLine(p.pid) ?? p.comm} (pid ${p.pid}) at ${Math.round(p.share * 100)} % CPU`),
  ];
  if (!reasons.length) return false;
  const line = `${name}: machine busy: ${reasons.join(", ")}`;
  machineNotes.push(line);
  progress(line);
  return true;
}

/** What the failed measurements were, for the report; the rest of their section still ran. */
export const failureNotes: string[] = [];

/** Runs one measurement; one that throws is noted (progress and `failureNotes`) and gives no figures. */
export async function attempt(name: string, measure: () => Promise<Figures>): Promise<Figures> {
  try {
    return await measure();
  } catch (error) {
    const line = `${name}: failed: ${(error as Error).message.split("\n")[0]}`;
    failureNotes.push(line);
    progress(line);
    return {};
  }
}

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  /** Requests per second offered in all (open loop); without it each client sends as soon as answered. */
  rate?: number;
  /** The server process: its utime + stime over the window ÷ requests answered → `<name>_cpu_ms_per_req`. */
  pid?: number;
  /** With `pid`: the CPU of its whole process tree too (its own database server's) → `<name>_tree_cpu_ms_per_req`. */
  tree?: boolean;
  /** The measured PostgreSQL cluster's postmaster: its children's CPU → `<name>_db_cpu_ms_per_req`. */
  postmaster?: number;
  /**
   * Other servers the measurement drives, by name (OpenSearch's JVM): their CPU is the measurement's,
   * not a busy machine, and each one's per request → `<name>_<server>_cpu_ms_per_req`.
   */
  measured?: Record<string, number>;
}

/**
 * Drives one endpoint at `connections` concurrent clients for `seconds` (at `rate` requests per
 * second in all if given); refuses to report a run with errors. With `pid` (and `postmaster`), the
 * server's (and the database's) CPU per request over the measured window; the machine's other
 * processes are checked over the same window (`machineNotes`).
 */
export async function load(name: string, target: LoadTarget, options: LoadOptions = {}): Promise<Figures> {
  const connections = options.connections ?? 50;
  const seconds = options.seconds ?? 5;
  const request = {
    url: target.url,
    method: target.method ?? "GET",
    headers: { ...(target.body || target.bodies ? { "content-type": "application/json" } : {}), ...target.headers },
    body: target.body,
    ...(target.bodies
      ? { requests: [{ setupRequest: (req: Record<string, unknown>) => Object.assign(req, { body: target.bodies!() }) }] }
      : {}),
    connections,
  };
  // Lazy handler imports, JIT and pool connections settle first, for the stack and the floor alike,
  // in a run of its own so the CPU window holds the measured run only. A count, not a duration:
  // requests a timed warm-up leaves in flight (a login's scrypt queue) would be answered inside the
  // measured run.
  await autocannon({ ...request, amount: 4 * connections });
  const before = processes();
  const t0 = performance.now();
  const result = await autocannon({
    ...request,
    duration: seconds,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
  });
  const after = processes();
  const window = (performance.now() - t0) / 1000;
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0)
    throw new Error(
      `${name}: ${bad} of ${result.requests.total} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
    );
  checkMachine(name, before, after, window, [options.postmaster, ...Object.values(options.measured ?? {})]);
  const answered = result.requests.total;
  const msPerRequest = (ticks: number) => Math.round(((ticks * 1000) / TICKS_PER_S / answered) * 1000) / 1000;
  const figures: Figures = {
    [`${name}_p50_ms`]: result.latency.p50,
    [`${name}_p99_ms`]: result.latency.p99,
    [`${name}_rps`]: Math.round(result.requests.average),
  };
  if (options.pid && before.has(options.pid) && after.has(options.pid)) {
    figures[`${name}_cpu_ms_per_req`] = msPerRequest(after.get(options.pid)!.ticks - before.get(options.pid)!.ticks);
  }
  if (options.pid && options.tree) {
    const ticks = (procs: Map<number, Proc>) => [...tree(procs, options.pid!)].reduce((sum, pid) => sum + (procs.get(pid)?.ticks ?? 0), 0);
    figures[`${name}_tree_cpu_ms_per_req`] = msPerRequest(ticks(after) - ticks(before));
  }
  for (const [server, pid] of Object.entries(options.measured ?? {})) {
    if (before.has(pid) && after.has(pid))
      figures[`${name}_${server}_cpu_ms_per_req`] = msPerRequest(after.get(pid)!.ticks - before.get(pid)!.ticks);
  }
  if (options.postmaster)
    figures[`${name}_db_cpu_ms_per_req`] = msPerRequest(backendTicks(after, options.postmaster) - backendTicks(before, options.postmaster));
  return figures;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each figure's median over runs of the same measurement. */
export const medians = (runs: Figures[]): Figures =>
  Object.fromEntries(Object.keys(runs[0] ?? {}).map((key) => [key, median(runs.map((r) => r[key]))]));

export const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number = process.pid): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export async function api(base: string, method: "GET" | "POST", path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as { code: number; msg: string; data: any };
  if (json.code !== 200) throw new Error(`${method} ${path}: ${json.code} ${json.msg}`);
  return json.data;
}
