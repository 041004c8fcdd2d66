import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FLOOR_GOAL_ENDPOINTS, floorRatios } from "./goals";
import { api, attempt, load, medians, postmasterOf, processes, progress, rssMb, type Figures, type LoadOptions } from "./lib";

const repoRoot = join(import.meta.dirname, "..");
const FLOOR_ROUNDS = 3;
/** The fixed-rate rounds' length: at half the floor's capacity, thousands of requests for the p99. */
const RATE_SECONDS = 4;

/**
 * `npm start`'s command line with bench/server.ts as its entry: the bench server runs as the product
 * does (the same launcher and Node flags).
 */
function productServerArgs(): string[] {
  const start = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts.start.split(" ") as string[];
  if (start[0] !== "node")
    throw new Error(`npm start no longer runs node directly (${start.join(" ")}): update the bench server's command`);
  return [...start.slice(1, -1), join(import.meta.dirname, "server.ts")];
}

/**
 * Starts bench/server.ts as `npm start` runs the product (or another server script under tsx) in a
 * child process and returns its URL, pid and announcement line. `nodeArgs` go to node before the
 * script (`--cpu-prof`, …).
 */
export async function startServer(env: Record<string, string> = {}, script?: string, args: string[] = [], nodeArgs: string[] = []) {
  // A home made here goes when the server stops: a 1 GiB upload bench left gigabytes in /tmp each run.
  const ownHome = env.POLARIS_HOME ? undefined : mkdtempSync(join(tmpdir(), "polaris-bench-"));
  const child = spawn(process.execPath, [...nodeArgs, ...(script ? ["--import", "tsx", script, ...args] : productServerArgs())], {
    env: { ...process.env, ...env, POLARIS_HOME: env.POLARIS_HOME ?? ownHome },
    stdio: ["ignore", "pipe", "inherit"],
    // Where npm runs `npm start`; the command's paths are relative to it.
    cwd: repoRoot,
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const announced = JSON.parse(line) as { url: string } & Record<string, unknown>;
  return {
    url: announced.url,
    announced,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => {
          if (ownHome) rmSync(ownHome, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Latency and throughput at 50 concurrent clients for the user and file endpoints, the server's CPU
 * per request (`…_cpu_ms_per_req`: its utime + stime over the measured window ÷ requests answered;
 * on PostgreSQL the database's beside it, `…_db_cpu_ms_per_req`) and the server's resident memory
 * idle and under that load. `label` names the profile (embedded or pg).
 *
 * With `beside` (the floor's load of the same endpoint), each endpoint runs in FLOOR_ROUNDS rounds,
 * stack then floor, so each pair is measured at one machine speed: a 5-second load's p99 on this
 * shared machine moves by a third from one run to the next, for the stack and the floor alike. The
 * figures are the rounds' medians, and each ratio the median of the rounds' own ratios (its worst
 * round beside it). CPU per request is what holds still; the closed-loop p99 ratio is decided by
 * which of two processes saturates the two cores first. So each endpoint of the floor goal then runs
 * FLOOR_ROUNDS more paired rounds at a fixed offered rate, half the floor's closed-loop throughput,
 * stack and floor at the same rate (`…_at_rate_p99_ms`, `…_at_rate_p99_vs_floor`). An endpoint whose
 * measurement fails is noted and the others still run.
 */
/** Proportional set size of a process and its descendants, in MB. */
function treePssMb(pid: number): number {
  const all = processes();
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, p] of all) if (p.ppid === tree[i]) tree.push(child);
  const pss = (p: number) => {
    try {
      return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      return 0; // gone meanwhile
    }
  };
  return Math.round(tree.reduce((sum, p) => sum + pss(p), 0) / 1024);
}

export async function benchHttp(
  label = "embedded",
  env: Record<string, string> = {},
  beside?: {
    has(endpoint: string): boolean;
    measure(endpoint: string, options?: Omit<LoadOptions, "pid">, suffix?: string): Promise<Figures>;
  },
): Promise<Figures> {
  const external = env.DATABASE_URL ? await postmasterOf(env.DATABASE_URL) : undefined;
  const server = await startServer({
    // 50 clients log one user in at once: the throttle (5 attempts in flight per mobile, 30 per
    // address) would answer most with 429. What is measured is the login's own cost; the throttle has its tests.
    LOGIN_MAX_FAILURES_PER_MOBILE: "1000000",
    LOGIN_MAX_FAILURES_PER_ADDRESS: "1000000",
    // A backend that exits takes its CPU ticks with it: keep the pool's connections for the whole run.
    DATABASE_IDLE_MS: "600000",
    ...env,
  });
  // The embedded profile's own PostgreSQL server is the app's child: its CPU bills the app's requests too.
  const postmaster = external ?? [...processes()].find(([, p]) => p.ppid === server.pid && p.comm === "postgres")?.[0];
  const figures: Figures = {};
  try {
    const base = server.url;
    const mobile = `1${String(Date.now()).slice(-10)}`;
    const { accessToken: token } = await api(base, "POST", "/usercenter/v1/user/register", { mobile, password: "bench-password" });
    const auth = { authorization: `Bearer ${token}` };
    const folder = await api(base, "POST", "/file/v1/folder/create", { name: "bench" }, token);
    for (let i = 0; i < 50; i++) await api(base, "POST", "/file/v1/folder/create", { name: `d${i}`, parentId: folder.identity }, token);
    // One real file, so instant upload finds known content and answers with a challenge.
    const content = Buffer.from("polaris bench content");
    const hash = createHash("sha256").update(content).digest("hex");
    const plan = await api(base, "POST", "/file/v1/upload/presign", { hash, size: content.length, name: "known.txt" }, token);
    await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content });
    await api(base, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey }, token);
    figures[`${label}_rss_idle_mb`] = rssMb(server.pid);
    // With its own database server, the memory the app costs is its whole tree's, shared pages split (PSS).
    if (postmaster && !external) figures[`${label}_tree_pss_idle_mb`] = treePssMb(server.pid);

    // Login goes last: its scrypt work queued at the end of a run would slow whatever is measured next.
    const targets: [string, Parameters<typeof load>[1]][] = [
      ["info", { url: `${base}/usercenter/v1/user/info`, headers: auth }],
      ["list", { url: `${base}/file/v1/file/list?parentId=${folder.identity}&pageSize=50`, headers: auth }],
      ["detail", { url: `${base}/file/v1/file/detail?identity=${folder.identity}`, headers: auth }],
      [
        "presign",
        {
          url: `${base}/file/v1/upload/presign`,
          method: "POST",
          headers: auth,
          body: JSON.stringify({ hash: "0".repeat(64), size: 1, name: "p.bin", parentId: folder.identity }),
        },
      ],
      [
        "instant",
        {
          url: `${base}/file/v1/upload/instant`,
          method: "POST",
          headers: auth,
          body: JSON.stringify({ hash, size: content.length, name: "again.txt" }),
        },
      ],
      ["login", { url: `${base}/usercenter/v1/user/login`, method: "POST", body: JSON.stringify({ mobile, password: "bench-password" }) }],
    ];
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 200);
    for (const [name, target] of targets) {
      Object.assign(
        figures,
        await attempt(`${label}_${name}`, async () => {
          const rounds: Figures[] = [];
          const count = beside?.has(name) ? FLOOR_ROUNDS : 1;
          for (let round = 1; round <= count; round++) {
            progress(`${label}: ${name} at 50 connections${count > 1 ? ` (round ${round} of ${count})` : ""}`);
            rounds.push({
              ...(await load(`${label}_${name}`, target, { pid: server.pid, postmaster })),
              ...(await beside?.measure(name, { postmaster })),
            });
          }
          const out = { ...medians(rounds), ...floorRatios(label, name, rounds) };
          if (!beside?.has(name) || !FLOOR_GOAL_ENDPOINTS.includes(name)) return out;
          const rate = Math.round(out[`floor_${name}_rps`] / 2);
          const atRate: Figures[] = [];
          for (let round = 1; round <= FLOOR_ROUNDS; round++) {
            progress(`${label}: ${name} at ${rate} req/s, half the floor's capacity (round ${round} of ${FLOOR_ROUNDS})`);
            const options = { rate, seconds: RATE_SECONDS, postmaster };
            atRate.push({
              ...(await load(`${label}_${name}_at_rate`, target, { ...options, pid: server.pid })),
              ...(await beside.measure(name, options, "_at_rate")),
            });
          }
          return {
            ...out,
            [`${label}_${name}_offered_rps`]: rate,
            ...medians(atRate),
            ...floorRatios(label, `${name}_at_rate`, atRate, ["p99_ms", "cpu_ms_per_req"]),
          };
        }),
      );
    }
    clearInterval(sampler);
    figures[`${label}_rss_load_peak_mb`] = peak;
  } finally {
    await server.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchHttp());
