/**
 * The embedded profile's rows of the peer benchmark (`../shared/peer-bench/`, Polaris beside
 * Cloudreve v4 on this machine), measured the way the harness does, so that the goals of issue 15
 * can be read off `npm run bench` without building Cloudreve:
 *
 *  - embedded_tree_{rss,pss}_idle_mb: the whole process tree's memory (the app and its own
 *    PostgreSQL server's processes) once idle; RSS summed over the tree (what the harness sums,
 *    shared pages counted in every process) and PSS (shared pages split: what the tree really holds);
 *    `…_after_load_mb` the same once the loads below are over;
 *  - embedded_create_rps, …_cpu_ms_per_req: folder creation at 50 clients, each request a new name
 *    in one folder; CPU is the tree's (the app's and its database's), per request; the rounds create
 *    into the same folder, so `embedded_create_last_vs_first_rps` says whether it stays flat as the
 *    folder grows;
 *  - embedded_upload_256mib_ms, …_cpu_ms: a 256 MiB upload end to end as the console sends it
 *    (presign → PUT, or parts 3 in flight → callback) and the tree's CPU for it, until it is quiet again;
 *    each upload is deleted for good after its measurement (see `discard` in bench/uploads.ts).
 *
 *   npm run bench -- embedded
 *   BENCH_EMBEDDED=upload npx tsx bench/embedded.ts    # only these sections (idle, create, upload)
 *   BENCH_PROFILE_DIR=/tmp/prof BENCH_EMBEDDED=upload npx tsx bench/embedded.ts   # the server's .cpuprofile
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { startServer } from "./http";
import { api, attempt, load, median, medians, processes, progress, type Figures } from "./lib";
import { discard, put } from "./uploads";

const MiB = 1024 * 1024;
const UPLOAD = 256 * MiB;
const ROUNDS = 3;
const PART_CONCURRENCY = 3;
const CLK_TCK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The sections BENCH_EMBEDDED names (comma-separated), or all of them. */
const sections = process.env.BENCH_EMBEDDED?.split(",").map((s) => s.trim());
const wanted = (section: "idle" | "create" | "upload") => !sections || sections.includes(section);
/** node's flags for the server: `--cpu-prof` into BENCH_PROFILE_DIR when it is set, then BENCH_NODE_ARGS. */
const nodeArgs = [
  ...(process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []),
  ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
];

function treeOf(root: number) {
  const all = processes();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, p] of all) if (p.ppid === pids[i]) pids.push(pid);
  return { pids, cpuMs: (pids.reduce((sum, pid) => sum + (all.get(pid)?.ticks ?? 0), 0) * 1000) / CLK_TCK };
}

/** RSS and PSS (kB fields of /proc/<pid>/smaps_rollup) summed over the tree, in MB, and each process's ("name rss/pss"). */
function treeMemoryMb(root: number) {
  let rss = 0;
  let pss = 0;
  const each: string[] = [];
  for (const pid of treeOf(root).pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
      rss += kB("Rss");
      pss += kB("Pss");
      // The server's processes name themselves ("postgres: checkpointer"); the app is node.
      const name =
        pid === root
          ? "node"
          : readFileSync(`/proc/${pid}/cmdline`, "utf8")
              .split("\0")[0]
              .replace(/^.*\/bin\//, "")
              .trim();
      each.push(`${name} ${Math.round(kB("Rss") / 1024)}/${Math.round(kB("Pss") / 1024)}`);
    } catch {
      // gone meanwhile
    }
  }
  return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024), each };
}

/** The tree's memory once idle: the median of five samples, after its idle backends have gone; each process's (MB RSS/PSS) is printed. */
async function idleMemory(pid: number) {
  await sleep(5000);
  const samples = [];
  for (let i = 0; i < 5; i++, await sleep(200)) samples.push(treeMemoryMb(pid));
  progress(`  ${samples.at(-1)!.each.join(", ")}`);
  return { rss: median(samples.map((s) => s.rss)), pss: median(samples.map((s) => s.pss)) };
}

export async function benchEmbedded(): Promise<Figures> {
  const server = await startServer({ DEFAULT_QUOTA_BYTES: String(1024 ** 4) }, undefined, [], nodeArgs);
  const figures: Figures = {};
  try {
    const base = server.url;
    const { accessToken: token } = await api(base, "POST", "/usercenter/v1/user/register", {
      mobile: `1${String(Date.now()).slice(-10)}`,
      password: "bench-password",
    });
    if (wanted("idle"))
      Object.assign(
        figures,
        await attempt("embedded_tree_idle", async () => {
          progress("idle memory of the process tree (fresh)");
          const idle = await idleMemory(server.pid);
          return { embedded_tree_rss_idle_mb: idle.rss, embedded_tree_pss_idle_mb: idle.pss };
        }),
      );

    if (wanted("create"))
      Object.assign(
        figures,
        await attempt("embedded_create", async () => {
          const parent = (await api(base, "POST", "/file/v1/folder/create", { name: "create-bench" }, token)).identity;
          let n = 0;
          const target = {
            url: `${base}/file/v1/folder/create`,
            method: "POST" as const,
            headers: { authorization: `Bearer ${token}` },
            bodies: () => JSON.stringify({ name: `cf-${++n}`, parentId: parent }),
          };
          const rounds: Figures[] = [];
          for (let round = 1; round <= ROUNDS; round++) {
            progress(`create folder at 50 connections (round ${round} of ${ROUNDS}, ${n} entries in the folder)`);
            rounds.push(await load("embedded_create", target, { pid: server.pid, tree: true }));
          }
          const out = medians(rounds);
          out.embedded_create_last_vs_first_rps =
            Math.round((rounds.at(-1)!.embedded_create_rps / rounds[0].embedded_create_rps) * 100) / 100;
          out.embedded_create_entries_after = n;
          return out;
        }),
      );

    if (wanted("upload"))
      Object.assign(
        figures,
        await attempt("embedded_upload_256mib", async () => {
          const bytes = randomBytes(UPLOAD);
          const runs: { ms: number; cpuMs: number }[] = [];
          // A first, untimed upload loads the routes' modules.
          for (let round = 0; round <= ROUNDS; round++) {
            randomBytes(32).copy(bytes); // fresh content each round: nothing is deduplicated
            const hash = createHash("sha256").update(bytes).digest("hex");
            await sleep(1500); // the previous upload's writeback and garbage settle
            if (round) progress(`256 MiB upload, presign → callback (round ${round} of ${ROUNDS})`);
            const cpu0 = treeOf(server.pid).cpuMs;
            const t0 = performance.now();
            const plan = await api(base, "POST", "/file/v1/upload/presign", { hash, size: UPLOAD, name: `up-${round}.bin` }, token);
            let parts: { partNumber: number; etag: string }[] | undefined;
            const blocks = (from: number, to: number) =>
              (function* () {
                for (let o = from; o < to; o += MiB) yield bytes.subarray(o, Math.min(o + MiB, to));
              })();
            if (plan.mode === "single") await put(plan.uploadUrl, blocks(0, UPLOAD), UPLOAD, plan.headers);
            else {
              const queue = [...plan.parts] as { partNumber: number; url: string }[];
              parts = [];
              await Promise.all(
                Array.from({ length: PART_CONCURRENCY }, async () => {
                  for (let part = queue.shift(); part; part = queue.shift()) {
                    const from = (part.partNumber - 1) * plan.partSize;
                    const to = Math.min(UPLOAD, from + plan.partSize);
                    parts!.push({ partNumber: part.partNumber, etag: (await put(part.url, blocks(from, to), to - from)).etag });
                  }
                }),
              );
              parts.sort((a, b) => a.partNumber - b.partNumber);
            }
            const done = await api(base, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey, parts }, token);
            const ms = performance.now() - t0;
            if (done.file?.size !== UPLOAD) throw new Error(`callback answered ${JSON.stringify(done).slice(0, 200)}`);
            // What the tree still does for the upload after the callback (its S3 notification) counts
            // too: CPU is read once the tree is quiet (under 10 ms in 200 ms), within 3 s.
            let cpu1 = treeOf(server.pid).cpuMs;
            for (const until = Date.now() + 3000; Date.now() < until; ) {
              await sleep(200);
              const now = treeOf(server.pid).cpuMs;
              if (now - cpu1 < 10) break;
              cpu1 = now;
            }
            if (round) runs.push({ ms, cpuMs: cpu1 - cpu0 });
            if (round) progress(`  ${Math.round(ms)} ms, ${Math.round(cpu1 - cpu0)} ms of CPU (${plan.mode})`);
            await discard(base, token, done.identity);
          }
          return {
            embedded_upload_256mib_ms: Math.round(median(runs.map((r) => r.ms))),
            embedded_upload_256mib_cpu_ms: Math.round(median(runs.map((r) => r.cpuMs))),
          };
        }),
      );
    if (wanted("idle"))
      Object.assign(
        figures,
        await attempt("embedded_tree_idle_after", async () => {
          progress("idle memory of the process tree (after the loads)");
          const idle = await idleMemory(server.pid);
          return { embedded_tree_rss_idle_after_load_mb: idle.rss, embedded_tree_pss_idle_after_load_mb: idle.pss };
        }),
      );
  } finally {
    await server.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchEmbedded());
