import { readFileSync } from "node:fs";
import autocannon from "autocannon";

export type Figures = Record<string, number>;

export interface LoadTarget {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

/** Drives one endpoint at `connections` concurrent clients for `seconds`; refuses to report a run with errors. */
export async function load(name: string, target: LoadTarget, options: { connections?: number; seconds?: number } = {}): Promise<Figures> {
  const result = await autocannon({
    url: target.url,
    method: target.method ?? "GET",
    headers: { ...(target.body ? { "content-type": "application/json" } : {}), ...target.headers },
    body: target.body,
    connections: options.connections ?? 50,
    duration: options.seconds ?? 5,
    // Lazy handler imports, JIT and pool connections settle first, for the stack and the floor alike.
    // A count, not a duration: requests a timed warm-up leaves in flight (a login's scrypt queue)
    // would be answered inside the measured run.
    warmup: { connections: options.connections ?? 50, amount: 4 * (options.connections ?? 50) },
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${name}: ${bad} of ${result.requests.total} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return {
    [`${name}_p50_ms`]: result.latency.p50,
    [`${name}_p99_ms`]: result.latency.p99,
    [`${name}_rps`]: Math.round(result.requests.average),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Each figure's median over runs of the same measurement. */
export const medians = (runs: Figures[]): Figures =>
  Object.fromEntries(Object.keys(runs[0] ?? {}).map((key) => [key, median(runs.map((r) => r[key]))]));

export const progress = (line: string) => process.stderr.write(`  · ${line}\n`);

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number = process.pid): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export async function api(base: string, method: "GET" | "POST", path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as { code: number; msg: string; data: any };
  if (json.code !== 200) throw new Error(`${method} ${path}: ${json.code} ${json.msg}`);
  return json.data;
}
