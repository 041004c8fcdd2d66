import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { down, SERVICE_NAMES, status, up, type ServiceName } from "./services/index";
import { repoRoot } from "@polaris/local/gateway";

/**
 * `npm test`: the type check and the linter, then every vitest project in turn, starting the local services each
 * pass needs (installed on first use, cached after) and stopping at the end those it started (one
 * already running, e.g. under `npm run start:parity`, stays up). A pass whose service cannot start
 * fails the run with the service's own error.
 */
interface Pass {
  name: string;
  projects: string[];
  services?: ServiceName[];
  env?: (endpoints: Awaited<ReturnType<typeof up>>) => Record<string, string>;
  serial?: boolean;
  /** Only test files under these paths. */
  paths?: string[];
  /** Not the test files matching these globs. */
  exclude?: string[];
}

const parityEnv: Pass["env"] = (e) => ({ POLARIS_TEST_PROFILE: "parity", POLARIS_TEST_DATABASE_URL: e.postgres!.url });

const passes: Pass[] = [
  { name: "unit (PGlite)", projects: ["unit"] },
  // The S3 conformance suite against the embedded object store (no services).
  { name: "s3", projects: ["s3"] },
  { name: "database", projects: ["database"] },
  // The CLI is an HTTP client whose server's database does not change what it does: it runs on PGlite above and on PostgreSQL in the parity pass.
  {
    name: "unit (PostgreSQL)",
    projects: ["unit"],
    exclude: ["packages/cli/**"],
    services: ["postgres"],
    env: (e) => ({ POLARIS_TEST_DATABASE_URL: e.postgres!.url }),
  },
  { name: "stacks", projects: ["stacks"] },
  { name: "browser", projects: ["browser"], serial: true },
  // schemathesis against the embedded profile's /openapi.json (installs itself into .polaris/venv).
  { name: "fuzz", projects: ["fuzz"] },
  { name: "parity", projects: ["parity"], services: ["postgres", "aws", "opensearch"], serial: true },
  // The same S3 conformance suite against moto: prints where moto differs (unsigned requests, checksums, …) instead of failing.
  { name: "s3 (moto)", projects: ["s3"], services: ["aws"], env: (e) => ({ POLARIS_TEST_S3_MOTO_ENDPOINT: e.aws!.endpoint }) },
  // The HTTP contract tests and the CLI again, on the parity profile: one file at a time (they share the queues).
  {
    name: "api (parity)",
    projects: ["unit"],
    paths: ["packages/api-tests/src/", "packages/cli/src/"],
    services: ["postgres", "aws", "opensearch"],
    env: parityEnv,
    serial: true,
  },
  // The console's resume after interruptions, on the parity profile (moto's S3 behind the same console).
  {
    name: "browser (parity)",
    projects: ["browser"],
    paths: ["packages/browser-tests/src/resume.test.ts"],
    services: ["postgres", "aws", "opensearch"],
    env: parityEnv,
    serial: true,
  },
];

const only = process.argv.slice(2);
const resultsDir = join(repoRoot, ".polaris", "test-results");
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<number>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: "inherit", env: { ...process.env, ...env } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

/** Like run, but its output is held and handed back at the end (printed after what runs meanwhile). */
const runHeld = (command: string, args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: process.env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => (output += `${error.message}\n`));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });

const checks = [
  { name: "typecheck", command: ["npm", "run", "--silent", "typecheck"] },
  { name: "lint", note: " (biome ci: formatting and lint rules; npm run format fixes most)", command: ["npx", "biome", "ci", "."] },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedPasses: string[] = [];
/** Repeated at the end, since CI logs keep only the tail. */
const failedTests: string[] = [];
const started = Date.now();
const runningBefore = await status();
// The type check and the linter (~30 s of one core) run beside the first pass, which runs one test
// file at a time (one core of the two); their output follows that pass's.
let checking: Promise<void> | undefined = only.length
  ? undefined
  : (async () => {
      for (const check of checks) {
        const { code, output } = await runHeld(check.command[0], check.command.slice(1));
        console.log(`\n=== ${check.name}${check.note ?? ""}: ${code === 0 ? "ok" : "FAILED"}\n${output}`);
        if (code !== 0) failedPasses.push(check.name);
      }
    })();
try {
  for (const [index, pass] of passes.entries()) {
    if (only.length && !only.some((o) => pass.name.startsWith(o))) continue;
    console.log(`\n=== ${pass.name}`);
    const passStarted = Date.now();
    let env: Record<string, string> = {};
    if (pass.services) {
      try {
        env = pass.env?.(await up(pass.services, { log: (line) => console.log(`  [services] ${line}`) })) ?? {};
      } catch (error) {
        console.error(`${pass.name}: a local service could not be started:\n${(error as Error).message}`);
        failedPasses.push(pass.name);
        continue;
      }
    }
    const report = join(resultsDir, `${index}.json`);
    const args = [
      "vitest",
      "run",
      ...(pass.paths ?? []),
      ...pass.projects.flatMap((p) => ["--project", p]),
      ...(pass.exclude ?? []).flatMap((glob) => ["--exclude", glob]),
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${report}`,
    ];
    if (pass.serial) args.push("--no-file-parallelism");
    const code = await run("npx", args, env);
    try {
      const json = JSON.parse(readFileSync(report, "utf8"));
      totals.passed += json.numPassedTests;
      totals.failed += json.numFailedTests;
      totals.skipped += json.numPendingTests + json.numTodoTests;
      for (const file of json.testResults)
        for (const test of file.assertionResults)
          if (test.status === "failed")
            failedTests.push(
              `[${pass.name}] ${file.name.replace(`${repoRoot}/`, "")} > ${test.fullName}\n    ${String(test.failureMessages?.[0] ?? "")
                .split("\n")
                .slice(0, 6)
                .join("\n    ")}`,
            );
    } catch {
      // no report: the run itself failed, counted below
    }
    if (code !== 0) failedPasses.push(pass.name);
    console.log(`=== ${pass.name}: ${code === 0 ? "ok" : "FAILED"} in ${Math.round((Date.now() - passStarted) / 1000)}s`);
    await checking;
    checking = undefined;
  }
  await checking;
} finally {
  const ours = SERVICE_NAMES.filter((name) => runningBefore[name] !== "running");
  if (ours.length) await down(ours).catch((error) => console.error(`stopping local services: ${(error as Error).message}`));
}

if (failedTests.length) console.log(`\nFailed tests:\n${failedTests.join("\n")}`);
console.log(
  `\nnpm test finished in ${Math.round((Date.now() - started) / 1000)}s${failedPasses.length ? `; failed: ${failedPasses.join(", ")}` : ""}`,
);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedPasses.length ? 1 : 0);
