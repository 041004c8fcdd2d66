import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { repoRoot } from "@polaris/local/gateway";
import { buildConsoleIfNeeded } from "@polaris/local/web";

// Issue 18, point 6: `npm start` on a fresh state folder says what it is doing, step by step with
// times (a first start builds the console and creates the database), and its terminal then shows
// a line per request for a person: method, path, status, milliseconds; no JSON, no EMF.
let home: string;
beforeAll(async () => {
  await buildConsoleIfNeeded(); // as the other browser tests do: the start below then finds it built
  home = mkdtempSync(join(tmpdir(), "polaris-start-"));
}, 300_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

it("prints each start step with its time, then one human line per request", async () => {
  const { LOG_FORMAT, METRICS, LOG_LEVEL, DATABASE_URL, PGLITE_DIR, ...env } = process.env;
  const child = spawn(process.execPath, ["infra-local/launch.mjs", "infra-local/start.ts"], {
    cwd: repoRoot,
    env: { ...env, POLARIS_HOME: home, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  try {
    await expect
      .poll(() => (child.exitCode === null ? stdout : `exited ${child.exitCode}: ${stderr}`), { timeout: 90_000 })
      .toMatch(/Polaris is running/);
    const lines = stdout.split("\n");
    const time = String.raw`\d+\.\d s`;
    const steps = [
      /^Starting Polaris \(embedded profile, state in .+\)$/,
      new RegExp(`^  server bundle \\(esbuild\\) … ${time}$`),
      /^ {2}web console: up to date \(built .+, kept in packages\/web\/dist\)$/,
      new RegExp(`^  object store … ${time}$`),
      new RegExp(`^  database server \\(first start: creating the cluster\\) … ${time}$`),
      new RegExp(`^  database schema \\(migrations\\) … ${time}$`),
      new RegExp(`^Polaris is running \\(ready in ${time}\\)$`),
    ];
    expect(lines.slice(0, steps.length)).toEqual(steps.map((s) => expect.stringMatching(s)));
    const url = /Console: (http:\/\/\S+)\//.exec(stdout)![1];

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const refused = await fetch(`${url}/usercenter/v1/user/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mobile: "nope" }),
    });
    expect(refused.status).toBe(400);
    await expect.poll(() => stdout).toMatch(/^\d\d:\d\d:\d\d POST \/usercenter\/v1\/user\/register 400 \d+ ms$/m);
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d GET \/healthz 200 \d+ ms$/m);
    // What the gateway answers itself is logged too: the console's files, unknown paths.
    expect((await fetch(`${url}/`)).status).toBe(200);
    expect((await fetch(`${url}/file/v1/nope`)).status).toBe(404);
    await expect.poll(() => stdout).toMatch(/^\d\d:\d\d:\d\d GET \/file\/v1\/nope 404 \d+ ms$/m);
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d GET \/ 200 \d+ ms$/m);
    // For a person: no JSON log lines and no EMF metrics unless asked (LOG_FORMAT=json, METRICS=true).
    expect(stdout).not.toMatch(/^\{/m);
    expect(stderr).toBe("");
  } finally {
    child.kill("SIGINT");
  }
  expect(await exited).toBe(0);
  // Ctrl-C is answered in words: the stop, then that the drive is kept.
  expect(stdout).toMatch(
    /\nStopping Polaris \(finishing the requests in flight\) …\nPolaris stopped\. The drive is kept in .+\/; npm start opens it again\.\n$/,
  );
}, 120_000);
