// Runs a TypeScript entry of the local server (`npm start`: infra-local/start.ts; the bench's
// bench/server.ts) as JavaScript that esbuild bundles here, in about a second, at every start.
// Under tsx the same process would hold a second V8 isolate for the module hooks (Node 20 runs them
// on a thread of their own) and a source map per module: ~40 MB of the server.
//
// Packages load from node_modules as they are; the repository's own code (with the workspace
// packages) is bundled. The Lambda modules the local server loads by path (functions/**) become lazy
// chunks, registered with the gateway, so a handler still loads at its route's first request.
//
// It also sets V8's heap policy for a long-running server, before anything loads (V8 reads these
// flags at each decision, so they apply from then on); see `heapPolicy` below.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";
import { build, stop } from "esbuild";

/**
 * - The young generation stays at V8's initial 2×1 MB while the server loads and starts: by default
 *   module loading alone grows it to 2×16 MB, which it keeps (~30 MB). The PostgreSQL profile
 *   (DATABASE_URL) lets it grow again once serving (at 50 concurrent requests the larger one is ~10%
 *   more throughput, and that profile has the memory); the embedded one keeps it: a home server
 *   mostly idles, and its memory is what it is judged by.
 * - The old generation may outgrow its live size by half before a full collection; V8's default
 *   allows up to 4× on a machine with a few GB (~70 MB more under load, for a ~40 MB live heap).
 * - PGlite's WebAssembly (Postgres) stays on V8's baseline compiler: tiering its functions up left
 *   ~40–70 MB of compiler memory behind, for a few % of query speed.
 */
const embedded = !process.env.DATABASE_URL;
// PGlite only when asked for: the embedded profile otherwise runs the state folder's own PostgreSQL server.
const pglite = embedded && !!process.env.PGLITE_DIR;
const heapPolicy = {
  starting: ["--semi-space-growth-factor=1", "--heap-growing-percent=50", ...(pglite ? ["--liftoff-only"] : [])],
  serving: embedded ? [] : ["--semi-space-growth-factor=2"],
};
for (const flag of heapPolicy.starting) v8.setFlagsFromString(flag);

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = resolve(process.argv[2] ?? "infra-local/start.ts");
// One directory per process (a running server loads chunks long after its start), inside the
// repository so that the bundle's imports of packages resolve to its node_modules.
const cache = join(repoRoot, "node_modules", ".cache", "polaris-launch");
const outdir = join(cache, String(process.pid));

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};
// Builds of processes that ended without their exit handler (killed).
if (existsSync(cache))
  for (const name of readdirSync(cache)) if (!alive(Number(name))) rmSync(join(cache, name), { recursive: true, force: true });

const lambdaModules = (dir) =>
  readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? lambdaModules(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [join(dir, e.name)] : [],
  );
const posix = (path) => path.split("\\").join("/");
const main = [
  `import { registerBuiltModules } from ${JSON.stringify(join(repoRoot, "packages", "local", "src", "gateway.ts"))};`,
  `registerBuiltModules({`,
  ...lambdaModules("functions").map((path) => `  ${JSON.stringify(posix(path))}: () => import(${JSON.stringify(join(repoRoot, path))}),`),
  `});`,
  `await import(${JSON.stringify(entry)});`,
].join("\n");

mkdirSync(outdir, { recursive: true });
process.on("exit", () => rmSync(outdir, { recursive: true, force: true }));
try {
  await build({
    stdin: { contents: main, resolveDir: repoRoot, sourcefile: "launch-main.js" },
    outdir,
    entryNames: "main",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: `node${process.versions.node}`,
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "warning",
    plugins: [
      {
        name: "polaris-launch",
        setup(b) {
          // Packages stay in node_modules; the workspace packages (@polaris/*) are source, bundled.
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@polaris/") ? undefined : { path: args.path, external: true },
          );
          // Each module keeps its own import.meta.url (the source file's), so paths derived from it
          // (the repository root) mean what they do under tsx.
          b.onLoad({ filter: /\.ts$/ }, (args) => {
            const source = readFileSync(args.path, "utf8");
            return { contents: source.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
          });
        },
      },
    ],
  });
} finally {
  await stop();
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(outdir, "main.mjs")).href);
for (const flag of heapPolicy.serving) v8.setFlagsFromString(flag);
