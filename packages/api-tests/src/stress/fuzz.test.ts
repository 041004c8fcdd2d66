import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { routeTable } from "@polaris/contract";
import { bytes, createFolder, sha256, startTestApp, uploadFile, type TestApp } from "../support";
import { repoRoot } from "@polaris/local/gateway";

/**
 * Schema fuzzing: schemathesis (PyPI, pinned in requirements.txt beside this file, in .polaris/venv)
 * runs every operation of the served /openapi.json with a registered user's token, a bounded number
 * of examples each, and fails on any response ≥ 500, any response that breaks the documented schema
 * (status, content type, headers, body), any schema-violating request accepted, any authenticated
 * operation that answers without the token, and any 4xx without the error envelope (fuzz_hooks.py).
 * Requests that are valid by schema but refused by business rules (a name with "/", a forged
 * cursor) are expected, so "positive data acceptance" is not checked.
 */

const here = import.meta.dirname;
/**
 * Per operation. 150 while the document had 34 operations; with 76 (accounts, admin, versions, zip,
 * previews, the Polaris-IO routes) 90 keeps the pass near its old length.
 */
const MAX_EXAMPLES = 90;
/** Fixed, so a failure found in CI reproduces locally; change it to explore elsewhere. */
const SEED = 20261125;
const CHECKS = [
  "not_a_server_error",
  "status_code_conformance",
  "content_type_conformance",
  "response_headers_conformance",
  "response_schema_conformance",
  "negative_data_rejection",
  "missing_required_header",
  "unsupported_method",
  "ignored_auth",
  "error_envelope",
];

/** schemathesis at the pinned version in the project's virtualenv (only ever `pip install` into it). */
function ensureSchemathesis(): string {
  const venv = join(repoRoot, ".polaris", "venv");
  const bin = join(venv, "bin", "schemathesis");
  const requirements = join(here, "requirements.txt");
  const pinned = /^schemathesis==(\S+)/m.exec(readFileSync(requirements, "utf8"))?.[1];
  const installed = () =>
    existsSync(bin) ? /version (\S+)/.exec(spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout ?? "")?.[1] : undefined;
  if (pinned && installed() === pinned) return bin;
  if (!existsSync(join(venv, "bin", "python"))) {
    const made = spawnSync("python3", ["-m", "venv", venv], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`python3 -m venv ${venv} failed: ${made.stderr} (on Debian: apt-get install -y python3-venv)`);
  }
  const pip = spawnSync(
    join(venv, "bin", "python"),
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements],
    {
      encoding: "utf8",
      timeout: 600_000,
    },
  );
  if (pip.status !== 0 || installed() !== pinned) {
    throw new Error(
      `pip install -r packages/api-tests/src/stress/requirements.txt into ${venv} failed (PyPI must be reachable):\n${`${pip.stdout}${pip.stderr}`.trim().split("\n").slice(-20).join("\n")}`,
    );
  }
  return bin;
}

/**
 * Runs without blocking this process (the server under test lives in it), in .polaris/fuzz, where
 * schemathesis and hypothesis keep their state (hypothesis replays earlier failures first).
 */
function run(bin: string, args: string[], env: Record<string, string>) {
  const cwd = join(repoRoot, ".polaris", "fuzz");
  mkdirSync(cwd, { recursive: true });
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

let app: TestApp;
let bin: string;
beforeAll(async () => {
  bin = ensureSchemathesis();
  app = await startTestApp();
});
afterAll(() => app?.close());

it("every operation holds to the OpenAPI document under generated requests", async () => {
  const { token } = await app.signUp();
  const folder = await createFolder(app, token, "fuzz");
  const file = await uploadFile(app, token, bytes(500, 9001), { name: "fuzz.txt", parentId: folder });
  const trashed = await uploadFile(app, token, bytes(300, 9002), { name: "old.txt" });
  await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [trashed] } });
  const share = (
    await app.call("POST", "/share/v1/share/create", { token, body: { fileIdentity: folder, expiredType: 0, hasCode: false } })
  ).body.data.identity;
  const uploadKey = (
    await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256("fuzz-pending"), size: 10, name: "p.bin" } })
  ).body.data.uploadKey;

  const { code, output } = await run(
    bin,
    [
      "--config-file",
      join(here, "schemathesis.toml"),
      "run",
      `${app.url}/openapi.json`,
      "--header",
      `Authorization: Bearer ${token}`,
      "--checks",
      CHECKS.join(","),
      "--phases",
      "examples,coverage,fuzzing",
      "--max-examples",
      String(MAX_EXAMPLES),
      "--seed",
      String(SEED),
      "--request-timeout",
      "20",
      "--no-color",
      "--output-truncate",
      "true",
    ],
    {
      SCHEMATHESIS_HOOKS: join(here, "fuzz_hooks.py"),
      POLARIS_FUZZ_IDS: JSON.stringify({ folder, file, trashed, share, uploadKey }),
    },
  );
  const summary = output.slice(output.lastIndexOf("SUMMARY") - 40);
  console.log(summary);
  // Everything from the first failure report on, so the test output shows what broke and how to replay it.
  expect(code, output.slice(output.indexOf("FAILURES") - 40 >= 0 ? output.indexOf("FAILURES") - 40 : 0).slice(0, 20_000)).toBe(0);
  // Every operation but the document's own (GET /openapi.json), which schemathesis leaves out.
  const operations = Object.keys(routeTable).length - 1;
  expect(summary).toContain(`Tested: ${operations}`);
  expect(Number(/(\d+) generated/.exec(summary)?.[1])).toBeGreaterThan(operations * 10);
});
