import { median, type Figures } from "./lib";

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
  { match: /^zip64_entries$/, op: ">=", value: 65_536, why: "ZIP64 past 65,535 entries, read back by Python's zipfile (issue 19)" },
  { match: /^zip_worker_rss_peak_mb$/, op: "<", value: 256, why: "zip worker's peak memory, whatever the zip's size (issue 19)" },
  { match: /^bundle_http_max_kb$/, op: "<", value: 300, why: "largest HTTP handler bundle (issue 8)" },
  { match: /^init_http_max_ms$/, op: "<", value: 50, why: "slowest HTTP handler init (issue 8)" },
  { match: /^indexer_docs_per_s$/, op: ">=", value: 5000, why: "indexer throughput (issue 6)" },
  { match: /^lag_p99_ms$/, op: "<", value: 2000, why: "write-to-searchable p99 (issue 6)" },
  // Issue 15 replaced issue 6's absolute 50 ms at 50 clients (two shared cores cannot give it to the
  // JVM, Node, PostgreSQL and the load generator at once) with ratios to the bare node in the same run.
  {
    match: /^opensearch_search_(word|cjk|filtered)_p99_vs_floor$/,
    op: "<=",
    value: 1.3,
    why: "search p99 ÷ the same request sent straight to OpenSearch (issue 15)",
  },
  {
    match: /^opensearch_search_(word|cjk|filtered)_rps_vs_floor$/,
    op: ">=",
    value: 0.7,
    why: "search throughput ÷ the same request sent straight to OpenSearch (issue 15)",
  },
  {
    match: /^sql_(embedded|pglite)_c5_(word|cjk|filtered)_p99_ms$/,
    op: "<",
    value: 100,
    why: "embedded SQL search p99, 5 clients, 100,000 files (issue 15; pglite: where no server binaries exist)",
  },
  // Issue 15's embedded goals beside Cloudreve v4 (Go, SQLite) as `../shared/peer-bench/` measured it on
  // this machine (2 cores, 2026-12-01/02): create folder 385 req/s, 256 MiB upload 0.40 s end to end
  // with 0.29 s of server CPU. The harness is not run by `npm run bench` (it builds Cloudreve from source).
  { match: /^embedded_tree_rss_idle_mb$/, op: "<", value: 150, why: "idle RSS of the whole process tree (issue 15)" },
  { match: /^embedded_create_rps$/, op: ">=", value: 385, why: "create folder ≥ Cloudreve's 385 req/s (issue 15)" },
  { match: /^embedded_create_last_vs_first_rps$/, op: ">=", value: 0.8, why: "create folder flat as its folder grows (issue 15)" },
  { match: /^embedded_upload_256mib_ms$/, op: "<=", value: 400, why: "256 MiB upload end to end ≤ Cloudreve's 0.40 s (issue 15)" },
  { match: /^embedded_upload_256mib_cpu_ms$/, op: "<=", value: 435, why: "its server CPU ≤ 1.5× Cloudreve's 0.29 s (issue 15)" },
  // "Flat": the 100k folder's p99 within the same 1.5× tolerance the floor goal allows.
  { match: /^list_100k_vs_1k_p99_ratio$/, op: "<=", value: 1.5, why: "list p99 flat from 1k to 100k entries (issue 4)" },
  { match: /^upload_1gib_multipart_vs_raw_ratio$/, op: ">=", value: 0.8, why: "multipart throughput vs raw PUT (issue 4)" },
  {
    match: /^upload_(single|multipart)_mbps_vs_floor$/,
    op: ">=",
    value: 0.8,
    why: "1 GiB upload MB/s ÷ the bare PUT-to-disk floor's (issue 14)",
  },
  {
    match: /^upload_(single|multipart)_cpu_s_per_gib_vs_floor$/,
    op: "<=",
    value: 1.5,
    why: "1 GiB upload server CPU ÷ the floor's (issue 14)",
  },
  { match: /^upload_rss_above_idle_mb$/, op: "<", value: 64, why: "server memory flat during a 1 GiB upload (issue 14)" },
  { match: /_rss_(idle|load_peak)_mb$/, op: "<", value: 300, why: "server memory idle / under load (issue 9)" },
  { match: /^upload_verify_rss_peak_above_mb$/, op: "<", value: 128, why: "upload-created verify peak above idle (issue 9)" },
  // Issue 15 replaced issue 9's closed-loop p99 and throughput ratios at 50 clients (decided by which
  // of two processes saturates the two cores first: 1.1 to 2.2 with no code change); they are
  // still reported, as information.
  {
    match: new RegExp(`^pg_(${FLOOR_GOAL_ENDPOINTS.join("|")})_cpu_vs_floor$`),
    op: "<=",
    value: 1.3,
    why: "server CPU per request ÷ the floor's (issue 15)",
  },
  {
    match: new RegExp(`^pg_(${FLOOR_GOAL_ENDPOINTS.join("|")})_at_rate_p99_vs_floor$`),
    op: "<=",
    value: 1.3,
    why: "p99 at 50 % of the floor's capacity ÷ the floor's p99 at that rate (issue 15)",
  },
];

export const goalFor = (name: string) => GOALS.find((g) => g.match.test(name));

export const meets = (goal: Goal, value: number) =>
  goal.op === "<" ? value < goal.value : goal.op === "<=" ? value <= goal.value : value >= goal.value;

/** Figures computed from others: the worst HTTP bundle. */
export function derived(figures: Figures): Figures {
  const out: Figures = {};
  const worst = (re: RegExp) =>
    Math.max(
      ...Object.entries(figures)
        .filter(([k]) => re.test(k))
        .map(([, v]) => v),
    );
  if (Object.keys(figures).some((k) => /^bundle_http_/.test(k))) {
    out.bundle_http_max_kb = worst(/^bundle_http_.*_kb$/);
    out.init_http_max_ms = worst(/^init_http_.*_ms$/);
  }
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Stack ÷ floor for one endpoint from paired rounds (each round's stack and floor loads ran back to
 * back): `<label>_<endpoint>_p99_vs_floor`, `_rps_vs_floor`, `_cpu_vs_floor` (server CPU per request)
 * and `_db_cpu_vs_floor` (PostgreSQL's), the median of the rounds' ratios, and the worst round's
 * beside each (`…_worst`).
 */
const RATIOS = {
  p99_ms: ["p99", Math.max],
  rps: ["rps", Math.min],
  cpu_ms_per_req: ["cpu", Math.max],
  db_cpu_ms_per_req: ["db_cpu", Math.max],
} as const;

export function floorRatios(
  label: string,
  endpoint: string,
  rounds: Figures[],
  figures: (keyof typeof RATIOS)[] = ["p99_ms", "rps", "cpu_ms_per_req", "db_cpu_ms_per_req"],
): Figures {
  const out: Figures = {};
  for (const figure of figures) {
    const [short, worse] = RATIOS[figure];
    const ratios = rounds
      .filter((r) => r[`floor_${endpoint}_${figure}`] > 0 && r[`${label}_${endpoint}_${figure}`] != null)
      .map((r) => r[`${label}_${endpoint}_${figure}`] / r[`floor_${endpoint}_${figure}`]);
    if (!ratios.length) continue;
    const name = `${label}_${endpoint}_${short}_vs_floor`;
    out[name] = round2(median(ratios));
    if (ratios.length > 1) out[`${name}_worst`] = round2(worse(...ratios));
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
      return [
        name,
        String(value),
        goal ? `${goal.op} ${goal.value}` : "",
        goal ? (meets(goal, value) ? "ok" : "MISSED") : "",
        goal?.why ?? "",
      ];
    });
  const header = ["figure", "value", "goal", "", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
