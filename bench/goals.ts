import type { Figures } from "./lib";

/** A goal from the issues, for every figure whose name matches. */
export interface Goal {
  match: RegExp;
  op: "<" | "<=" | ">=";
  value: number;
  /** Where the goal comes from, or why it is set where it is. */
  why: string;
}

/** The endpoints the floor goal covers (issue 9: on PostgreSQL). */
export const FLOOR_GOAL_ENDPOINTS = ["list", "detail", "presign", "instant"];

export const GOALS: Goal[] = [
  { match: /^bundle_http_max_kb$/, op: "<", value: 300, why: "largest HTTP handler bundle (issue 8)" },
  { match: /^init_http_max_ms$/, op: "<", value: 50, why: "slowest HTTP handler init (issue 8)" },
  { match: /^indexer_docs_per_s$/, op: ">=", value: 5000, why: "indexer throughput (issue 6)" },
  { match: /^lag_p99_ms$/, op: "<", value: 2000, why: "write-to-searchable p99 (issue 6)" },
  { match: /_search_\w+_p99_ms$/, op: "<", value: 50, why: "search p99 at 50 clients (issue 6)" },
  // "Flat": the 100k folder's p99 within the same 1.5× tolerance the floor goal allows.
  { match: /^list_100k_vs_1k_p99_ratio$/, op: "<=", value: 1.5, why: "list p99 flat from 1k to 100k entries (issue 4)" },
  { match: /^upload_1gib_multipart_vs_raw_ratio$/, op: ">=", value: 0.8, why: "multipart throughput vs raw PUT (issue 4)" },
  { match: /_rss_(idle|load_peak)_mb$/, op: "<", value: 300, why: "server memory idle / under load (issue 9)" },
  { match: /^upload_verify_rss_peak_above_mb$/, op: "<", value: 128, why: "upload-created verify peak above idle (issue 9)" },
  { match: new RegExp(`^pg_(${FLOOR_GOAL_ENDPOINTS.join("|")})_p99_vs_floor$`), op: "<=", value: 1.5, why: "p99 ÷ floor p99 (issue 9)" },
  { match: new RegExp(`^pg_(${FLOOR_GOAL_ENDPOINTS.join("|")})_rps_vs_floor$`), op: ">=", value: 0.6, why: "throughput ÷ floor throughput (issue 9)" },
];

export const goalFor = (name: string) => GOALS.find((g) => g.match.test(name));

export const meets = (goal: Goal, value: number) =>
  goal.op === "<" ? value < goal.value : goal.op === "<=" ? value <= goal.value : value >= goal.value;

/** Figures computed from others: the worst HTTP bundle, and the stack ÷ floor ratios. */
export function derived(figures: Figures): Figures {
  const out: Figures = {};
  const worst = (re: RegExp) => Math.max(...Object.entries(figures).filter(([k]) => re.test(k)).map(([, v]) => v));
  if (Object.keys(figures).some((k) => /^bundle_http_/.test(k))) {
    out.bundle_http_max_kb = worst(/^bundle_http_.*_kb$/);
    out.init_http_max_ms = worst(/^init_http_.*_ms$/);
  }
  for (const key of Object.keys(figures)) {
    const m = /^floor_(\w+)_(p99_ms|rps)$/.exec(key);
    const stack = m && figures[`pg_${m[1]}_${m[2]}`];
    if (m && stack != null && figures[key] > 0) {
      out[`pg_${m[1]}_${m[2] === "rps" ? "rps" : "p99"}_vs_floor`] = Math.round((stack / figures[key]) * 100) / 100;
    }
  }
  return out;
}

/**
 * The terminal table: every figure beside its goal. Per-function bundle figures are summarised by
 * their worst (all of them are in the JSON report).
 */
export function table(figures: Figures): string {
  const rows = Object.entries(figures)
    .filter(([name]) => !/^(bundle|init)_(http|events|jobs)_(?!max_)/.test(name))
    .map(([name, value]) => {
      const goal = goalFor(name);
      return [name, String(value), goal ? `${goal.op} ${goal.value}` : "", goal ? (meets(goal, value) ? "ok" : "MISSED") : "", goal?.why ?? ""];
    });
  const header = ["figure", "value", "goal", "", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
