/**
 * Lambda bundle size and module initialisation time, per function.
 *
 * Every HTTP handler of the route table and every events/jobs function that exists is bundled
 * with esbuild exactly as the stacks bundle it (stacks/lib/observability.ts: minified, tree-shaken
 * ESM for node22, the AWS SDK v3 external because the nodejs22.x runtime ships it), then imported
 * in a fresh `node` process that times the import: what a Lambda cold start pays for our code.
 *
 *   npx tsx bench/bundles.ts            # table, plus the heaviest packages of bundles over the goal
 *
 * Goal: < 300 KB and < 50 ms per HTTP handler. Figures: bundle_<name>_kb, init_<name>_ms, where
 * <name> is the module path: functions/http/user/login.ts → http_user_login.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import { routeTable } from "@polaris/contract";
import { BUNDLE_PLUGINS } from "../stacks/lib/bundling";
import { BUNDLE_EXTERNALS, BUNDLE_TARGET } from "../stacks/lib/observability";
import { median } from "./lib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Inside the repository, so the bundles resolve the external @aws-sdk/* from node_modules, as Lambda does from its runtime. */
const outDir = join(root, ".polaris", "bench", "bundles");
const GOAL_KB = 300;
const GOAL_MS = 50;
/** Fresh processes per bundle; the median is reported. */
const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 5);

export interface BundleFigure {
  name: string;
  entry: string;
  kind: "http" | "events" | "jobs";
  kb: number;
  /** Wall-clock time of the import: what a cold start pays. */
  initMs: number;
  /** CPU time of the same import: steadier than wall time on a busy machine. */
  initCpuMs: number;
  /** Largest contributors to the minified output, by package. */
  heaviest: { pkg: string; kb: number }[];
}

/** The entry modules: every route's handler, then events/ and jobs/ modules that exist. */
export function bundleEntries(): string[] {
  const http = [...new Set(Object.values(routeTable).map((r) => r.handler))];
  const others = ["events", "jobs"].flatMap((dir) => {
    const path = join(root, "functions", dir);
    return existsSync(path)
      ? readdirSync(path)
          .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f))
          .sort()
          .map((f) => `functions/${dir}/${f}`)
      : [];
  });
  return [...http, ...others];
}

export const figureName = (entry: string) =>
  entry
    .replace(/^functions\//, "")
    .replace(/\.ts$/, "")
    .replace(/[^A-Za-z0-9]+/g, "_");

/** The esbuild options of the deployed bundles (SST adds the same ESM banner for require/__dirname). */
async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: { [basename(outfile, ".mjs")]: join(root, entry) },
    outdir: dirname(outfile),
    splitting: true,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: BUNDLE_TARGET,
    minify: true,
    treeShaking: true,
    keepNames: true,
    legalComments: "none",
    mainFields: ["module", "main"],
    external: BUNDLE_EXTERNALS,
    plugins: BUNDLE_PLUGINS,
    metafile: true,
    logLevel: "silent",
    banner: {
      js: [
        "import { createRequire as topLevelCreateRequire } from 'module';",
        "const require = topLevelCreateRequire(import.meta.url);",
        'import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url";',
        'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url));',
      ].join("\n"),
    },
  });
  return result.metafile;
}

type Output = Metafile["outputs"][string];

function heaviest(outputs: Output[], top = 4) {
  const byPackage = new Map<string, number>();
  for (const output of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = input
        .match(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)
        ?.pop()
        ?.replace(/^node_modules\//, "");
      const pkg = match ?? (input.startsWith("packages/") ? `@polaris/${input.split("/")[1]}` : input.split("/")[0]!);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([pkg, bytes]) => ({ pkg, kb: Math.round(bytes / 102.4) / 10 }));
}

/** Imports the bundle in a fresh node and returns how long the import took (ms, wall and CPU), medians of RUNS. */
function initTime(file: string): { wall: number; cpu: number } {
  const script = [
    // nodejs22.x has a global `navigator` (Node 21+); Node 20 here has not, and pg's Cloudflare
    // probe then builds a `Response`, loading undici (~13 ms) that no deployed function loads.
    'globalThis.navigator ??= { userAgent: "Node.js/22" };',
    "const started = performance.now();",
    "const cpu = process.cpuUsage();",
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "const used = process.cpuUsage(cpu);",
    "process.stdout.write(JSON.stringify([performance.now() - started, (used.user + used.system) / 1000]));",
  ].join("\n");
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dirname(file),
      encoding: "utf8",
      timeout: 60_000,
      // What a deployed function has at module load (nothing is connected before the first request).
      env: {
        PATH: process.env.PATH,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
        POLARIS_HOME: join(outDir, ".home"),
        POWERTOOLS_SERVICE_NAME: "polaris",
        POWERTOOLS_METRICS_NAMESPACE: "Polaris",
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: "1",
        JWT_SECRET: "bench-secret-bench-secret-bench-secret-0123",
      },
    });
    let measured: [number, number] | undefined;
    try {
      measured = JSON.parse(r.stdout) as [number, number];
    } catch {
      measured = undefined;
    }
    if (r.status !== 0 || !measured) {
      throw new Error(
        `importing ${relative(root, file)} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n")}`,
      );
    }
    times.push(measured[0]);
    cpus.push(measured[1]);
  }
  return { wall: median(times), cpu: median(cpus) };
}

/** The entry chunk plus every chunk it imports statically: what a cold start loads (lazy chunks excluded). */
function coldStartOutputs(metafile: Metafile, outfile: string): Output[] {
  const outputs = new Map(Object.entries(metafile.outputs).map(([file, out]) => [resolve(root, file), out]));
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of outputs.get(file)?.imports ?? [])
      if (imp.kind === "import-statement" && !imp.external) visit(resolve(root, imp.path));
  };
  visit(outfile);
  return [...seen].map((file) => outputs.get(file)!);
}

export async function measureBundles(entries = bundleEntries()): Promise<BundleFigure[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const figures: BundleFigure[] = [];
  for (const entry of entries) {
    const name = figureName(entry);
    const outfile = join(outDir, `${name}.mjs`);
    const metafile = await bundle(entry, outfile);
    const init = initTime(outfile);
    const coldStart = coldStartOutputs(metafile, outfile);
    figures.push({
      name,
      entry,
      kind: entry.split("/")[1] as BundleFigure["kind"],
      kb: Math.round(coldStart.reduce((sum, output) => sum + output.bytes, 0) / 102.4) / 10,
      initMs: Math.round(init.wall * 10) / 10,
      initCpuMs: Math.round(init.cpu * 10) / 10,
      heaviest: heaviest(coldStart),
    });
  }
  return figures;
}

export async function benchBundles(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const f of await measureBundles()) {
    figures[`bundle_${f.name}_kb`] = f.kb;
    figures[`init_${f.name}_ms`] = f.initMs;
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const figures = await measureBundles();
  const width = Math.max(...figures.map((f) => f.entry.length));
  console.log(
    `${"function".padEnd(width)}  ${"bundle KB".padStart(9)}  ${"init ms".padStart(7)}  ${"cpu ms".padStart(6)}  heaviest packages (KB in the bundle)`,
  );
  for (const f of figures) {
    const over = f.kind === "http" && (f.kb >= GOAL_KB || f.initMs >= GOAL_MS);
    const why = f.heaviest.map((h) => `${h.pkg} ${h.kb}`).join(", ");
    console.log(
      `${f.entry.padEnd(width)}  ${f.kb.toFixed(1).padStart(9)}  ${f.initMs.toFixed(1).padStart(7)}  ${f.initCpuMs.toFixed(1).padStart(6)}  ${over ? "OVER GOAL: " : ""}${why}`,
    );
  }
  const http = figures.filter((f) => f.kind === "http");
  const over = http.filter((f) => f.kb >= GOAL_KB || f.initMs >= GOAL_MS);
  console.log(`\n${http.length} HTTP handlers; goal < ${GOAL_KB} KB and < ${GOAL_MS} ms each; ${over.length} over.`);
}
