/**
 * `npm run bench`: every benchmark of the project in one run, with progress as it goes; one report
 * (.polaris/bench/latest.json, `{"figure_with_unit": value}`) and a table of each figure beside its goal.
 *
 * A bench whose module or function is not there yet is reported as not available; one that throws is
 * reported with its error and the rest still run; a measurement inside a bench that fails is
 * reported the same way and the rest of its bench still prints. Measurements during which the machine
 * was busy (load above the core count, another process above 20 % CPU) are listed, with who. Services the run had to start are stopped at the end.
 *
 *   npm run bench                 # everything
 *   npm run bench -- http floor   # only the benches whose names start with these words
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freshDatabaseEnv } from "@polaris/api-tests/support/database";
import { down, status, up, SERVICE_NAMES, type ServiceName } from "@polaris/infra-local/services";
import { derived, meets, goalFor, table } from "./goals";
import type { startFloor } from "./floor";
import { failureNotes, machineNotes, type Figures } from "./lib";

const here = dirname(fileURLToPath(import.meta.url));
const reportDir = resolve(here, "..", ".polaris", "bench");

type Module = Record<string, unknown>;
interface Bench {
  name: string;
  /** Modules it needs (relative to bench/); missing → not available. */
  modules: string[];
  run(modules: Module[]): Promise<Figures>;
}

const fn = (module: Module, name: string) => {
  const f = module[name];
  if (typeof f !== "function") throw new NotAvailable(`${name} is not exported yet`);
  // Each bench module has its own signature; the bench list calls them as they are.
  return f as (...args: any[]) => Promise<any>;
};

class NotAvailable extends Error {}

/**
 * The stack on PostgreSQL and its floor on the same server, each on a fresh database, endpoint by
 * endpoint: the floor's load of an endpoint runs right after the stack's, at the same machine speed,
 * in paired rounds (bench/http.ts).
 */
async function httpOnPostgres([http, floorModule]: Module[]): Promise<Figures> {
  const { postgres } = await up(["postgres"]);
  const [stackDb, floorDb] = [await freshDatabaseEnv(postgres!.url), await freshDatabaseEnv(postgres!.url)];
  try {
    const floor: Awaited<ReturnType<typeof startFloor>> = await fn(floorModule, "startFloor")(floorDb.env);
    try {
      return await fn(http, "benchHttp")("pg", stackDb.env, floor);
    } finally {
      await floor.stop();
    }
  } finally {
    await Promise.all([stackDb.drop(), floorDb.drop()]);
  }
}

const benches: Bench[] = [
  { name: "bundles", modules: ["bundles.ts"], run: ([m]) => fn(m, "benchBundles")() },
  { name: "http (embedded)", modules: ["http.ts"], run: ([m]) => fn(m, "benchHttp")("embedded") },
  { name: "http (PostgreSQL) and floor", modules: ["http.ts", "floor.ts"], run: httpOnPostgres },
  { name: "shares", modules: ["shares.ts"], run: ([m]) => fn(m, "benchShares")() },
  { name: "thumbnails", modules: ["thumbnails.ts"], run: ([m]) => fn(m, "benchThumbnails")() },
  { name: "search", modules: ["search.ts"], run: ([m]) => fn(m, "benchSearch")() },
  { name: "files", modules: ["files.ts"], run: ([m]) => fn(m, "benchFiles")() },
  { name: "uploads", modules: ["uploads.ts"], run: ([m]) => fn(m, "benchUploads")() },
  { name: "zip", modules: ["zip.ts"], run: ([m]) => fn(m, "benchZip")() },
  { name: "embedded beside Cloudreve", modules: ["embedded.ts"], run: ([m]) => fn(m, "benchEmbedded")() },
];

const only = process.argv.slice(2);
const selected = benches.filter((b) => !only.length || only.some((o) => b.name.startsWith(o)));
const wasRunning = await status();
const figures: Figures = {};
const outcomes: {
  bench: string;
  status: "ok" | "not available" | "failed";
  seconds: number;
  detail?: string;
  busy?: string[];
  failed?: string[];
}[] = [];
mkdirSync(reportDir, { recursive: true });
const save = () => {
  const all = { ...figures, ...derived(figures) };
  writeFileSync(join(reportDir, "latest.json"), `${JSON.stringify(all, null, 2)}\n`);
  writeFileSync(join(reportDir, "latest-runs.json"), `${JSON.stringify(outcomes, null, 2)}\n`);
  return all;
};

const started = Date.now();
try {
  for (const [i, bench] of selected.entries()) {
    const t0 = Date.now();
    const seconds = () => Math.round((Date.now() - t0) / 1000);
    process.stderr.write(`\n[${i + 1}/${selected.length}] ${bench.name} (${Math.round((Date.now() - started) / 1000)} s into the run)\n`);
    try {
      const missing = bench.modules.filter((m) => !existsSync(join(here, m)));
      if (missing.length) throw new NotAvailable(`bench/${missing.join(", bench/")} not there yet`);
      const modules = await Promise.all(bench.modules.map((m) => import(join(here, m)) as Promise<Module>));
      const [busyBefore, failedBefore] = [machineNotes.length, failureNotes.length];
      Object.assign(figures, await bench.run(modules));
      const [busy, failed] = [machineNotes.slice(busyBefore), failureNotes.slice(failedBefore)];
      outcomes.push({
        bench: bench.name,
        status: "ok",
        seconds: seconds(),
        ...(busy.length ? { busy } : {}),
        ...(failed.length ? { failed } : {}),
      });
      process.stderr.write(`  ✓ ${bench.name} in ${seconds()} s\n`);
    } catch (error) {
      const notAvailable = error instanceof NotAvailable;
      const detail = notAvailable ? error.message : ((error as Error).stack ?? String(error)).split("\n").slice(0, 4).join("\n");
      outcomes.push({ bench: bench.name, status: notAvailable ? "not available" : "failed", seconds: seconds(), detail });
      process.stderr.write(`  ${notAvailable ? "–" : "✗"} ${bench.name}: ${detail}\n`);
    }
    save();
  }
} finally {
  const startedHere = SERVICE_NAMES.filter((name: ServiceName) => wasRunning[name] !== "running");
  if (startedHere.length)
    await down(startedHere).catch((error) => console.error(`stopping ${startedHere.join(", ")}: ${(error as Error).message}`));
}

const report = save();
console.log(`\n${table(report)}\n`);
for (const o of outcomes.filter((o) => o.status !== "ok")) console.log(`${o.bench}: ${o.status}: ${o.detail}`);
for (const line of failureNotes) console.log(`measurement ${line}`);
if (machineNotes.length) {
  console.log(`\nThe machine was busy during ${machineNotes.length} measurement(s); their figures are less sure:`);
  for (const line of machineNotes) console.log(`  ${line}`);
}
const withGoal = Object.entries(report).filter(([name]) => goalFor(name));
const missed = withGoal.filter(([name, value]) => !meets(goalFor(name)!, value));
console.log(
  `\n${Object.keys(report).length} figures in ${join(".polaris", "bench", "latest.json")}; ${withGoal.length - missed.length}/${withGoal.length} goals met` +
    `${missed.length ? ` (missed: ${missed.map(([n]) => n).join(", ")})` : ""}; ${outcomes.filter((o) => o.status === "ok").length}/${selected.length} benches ran; ` +
    `${Math.round((Date.now() - started) / 1000)} s in all.`,
);
