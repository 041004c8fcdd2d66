import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbedded, type RunningApp } from "../../../../infra-local/embedded";
import type { Fallback } from "../../../../infra-local/gateway";
import { freshDatabaseEnv } from "./database";

export interface TestApp extends RunningApp {
  /** JSON request helper; `token` is sent as a Bearer header. */
  call(method: "GET" | "POST", path: string, options?: { body?: unknown; query?: Record<string, unknown>; token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  /** Registers a fresh user and returns its token. */
  signUp(mobile?: string, password?: string): Promise<{ token: string; mobile: string; password: string }>;
}

let mobiles = 0;
/** A mobile number unique within this process. */
export const nextMobile = () => `139${String(process.pid % 10000).padStart(4, "0")}${String(++mobiles).padStart(4, "0")}`;

/** Starts the embedded profile on a free loopback port with its own database and state folder. */
export async function startTestApp(env: Record<string, string> = {}, fallback?: Fallback): Promise<TestApp> {
  const database = await freshDatabaseEnv();
  const home = mkdtempSync(join(tmpdir(), "polaris-test-"));
  const app = await startEmbedded({ POLARIS_HOME: home, LOG_LEVEL: "SILENT", ...database.env, ...env }, 0, "127.0.0.1", fallback);
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
    async signUp(mobile = nextMobile(), password = "correct-horse") {
      const res = await call("POST", "/usercenter/v1/user/register", { body: { mobile, password } });
      if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { token: res.body.data.accessToken as string, mobile, password };
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}
