import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbedded, type RunningApp } from "@polaris/local/embedded";
import type { Fallback } from "@polaris/local/gateway";
import { startParity } from "@polaris/local/parity/start";
import { resourceEnv } from "@polaris/infra-local/services";
import { freshDatabaseEnv } from "./database";
import { scheduleJobs, tableJobs, type JobsView } from "./jobs";
import { freshParityEnv } from "./parity";

export interface TestApp extends RunningApp {
  /** JSON request helper; `token` is sent as a Bearer header. */
  call(
    method: "GET" | "POST",
    path: string,
    options?: { body?: unknown; query?: Record<string, unknown>; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
  /** Registers a fresh user and returns its token. */
  signUp(mobile?: string, password?: string): Promise<{ token: string; mobile: string; password: string }>;
  /** The pending delayed jobs (the jobs table, or the Scheduler group on the parity profile). */
  jobs: JobsView;
}

let mobiles = 0;
/** A mobile number unique within this process. */
export const nextMobile = () => `139${String(process.pid % 10000).padStart(4, "0")}${String(++mobiles).padStart(4, "0")}`;

/** "embedded-server": the embedded profile as `npm start` runs it, on the state folder's own PostgreSQL server. */
export type Profile = "embedded" | "embedded-server" | "parity";

/**
 * Starts a profile on a free loopback port with its own database and state folder: the embedded one
 * (on in-memory PGlite, or the PostgreSQL server named by POLARIS_TEST_DATABASE_URL), the embedded
 * one on its own server, or the parity one (POLARIS_TEST_PROFILE=parity) on the local services,
 * with its own key space there.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  fallback?: Fallback,
  profile = (process.env.POLARIS_TEST_PROFILE ?? "embedded") as Profile,
): Promise<TestApp> {
  const home = mkdtempSync(join(tmpdir(), "polaris-test-"));
  // The lowest password cost: tests register hundreds of users, at ~0.1 s each with the default.
  const base = { POLARIS_HOME: home, LOG_LEVEL: "SILENT", PASSWORD_HASH_COST: "10" };
  let app: RunningApp;
  let jobs: JobsView;
  let drop: () => Promise<void>;
  if (profile === "parity") {
    const parity = await freshParityEnv();
    const database = await freshDatabaseEnv(process.env.POLARIS_TEST_DATABASE_URL ?? parity.endpoints.postgres!.url);
    const started = await startParity({ ...resourceEnv(parity.endpoints), ...base, ...database.env, ...parity.env, ...env }, 0, {
      fallback,
    });
    app = started;
    jobs = scheduleJobs(started.deps.config, started.deps.scheduler, started.schedules);
    drop = async () => {
      await database.drop();
      await parity.drop();
    };
  } else {
    const database = profile === "embedded-server" ? { env: {}, drop: async () => undefined } : await freshDatabaseEnv();
    app = await startEmbedded({ ...base, ...database.env, ...env }, Number(env.PORT ?? 0), "127.0.0.1", fallback);
    jobs = tableJobs(app.deps.db, app.deps.scheduler);
    drop = database.drop;
  }
  const call: TestApp["call"] = async (method, path, options = {}) => {
    const url = new URL(app.url + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    const res = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  };
  return {
    ...app,
    call,
    jobs,
    async signUp(mobile = nextMobile(), password = "correct-horse") {
      const res = await call("POST", "/usercenter/v1/user/register", { body: { mobile, password } });
      if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { token: res.body.data.accessToken as string, mobile, password };
    },
    async close() {
      jobs.close();
      await app.close();
      await drop();
      // The state folder holds the uploaded objects: a suite's runs would otherwise pile up gigabytes in /tmp.
      rmSync(home, { recursive: true, force: true });
    },
  };
}
