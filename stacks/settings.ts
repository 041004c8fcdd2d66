/**
 * Per-stage settings of the AWS deployment, read once at synthesis time.
 *
 * Values come from the environment of `sst deploy` / `sst dev`; SST also loads `.env`,
 * `.env.<stage>` and `.env.<stage>.local` before the stacks run, so a stage keeps its settings in
 * `.env.prod` (not committed when it names private origins). Every value has a default that makes
 * a throwaway stage cheap; `prod` / `production` stages get the durable, redundant variants.
 */
export interface StageSettings {
  stage: string;
  production: boolean;
  /** Browser origins allowed by the API's and the bucket's CORS (comma list in CORS_ORIGINS). */
  corsOrigins: string[];
  /** The product's public URL (share links); the API URL when unset. */
  publicUrl?: string;
  /** NAT gateways for the VPC (functions reach EventBridge, Scheduler and SQS through them). */
  natGateways: number;
  aurora: { minAcu: number; maxAcu: number; readers: number; backupDays: number };
  search: { instanceType: string; dataNodes: number; volumeGiB: number };
  throttle: { rate: number; burst: number };
  /** Days of CloudWatch Logs retention for functions and the API's access log. */
  logRetentionDays: 7 | 14 | 30 | 90 | 365;
  /** Whether resources are kept when the stage is removed. */
  retain: boolean;
  /** E-mail that receives the alarms (an SNS subscription); none when unset. */
  alarmEmail?: string;
  /**
   * `sst dev` only: under live Lambda the handlers run on the laptop, which cannot reach the
   * VPC-only RDS Proxy and OpenSearch domain. These point them at reachable ones instead (the
   * parity profile's local PostgreSQL and OpenSearch: `npm run services -- up postgres opensearch`).
   */
  dev: { databaseUrl?: string; openSearchUrl?: string };
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const num = (value: string | undefined, fallback: number) => {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`expected a number, got "${value}"`);
  return parsed;
};

export function stageSettings(stage: string, env: Record<string, string | undefined> = process.env): StageSettings {
  const production = stage === "prod" || stage === "production";
  const corsOrigins = list(env.CORS_ORIGINS);
  return {
    stage,
    production,
    // The web console's Vite dev server is the only origin a throwaway stage trusts by default.
    corsOrigins: corsOrigins.length ? corsOrigins : ["http://localhost:5173"],
    publicUrl: env.PUBLIC_URL || undefined,
    natGateways: num(env.POLARIS_NAT_GATEWAYS, production ? 2 : 1),
    aurora: {
      minAcu: num(env.POLARIS_AURORA_MIN_ACU, 0.5),
      maxAcu: num(env.POLARIS_AURORA_MAX_ACU, production ? 16 : 2),
      readers: num(env.POLARIS_AURORA_READERS, production ? 1 : 0),
      backupDays: production ? 14 : 1,
    },
    search: {
      instanceType: env.POLARIS_SEARCH_INSTANCE ?? (production ? "r7g.large.search" : "t3.small.search"),
      dataNodes: num(env.POLARIS_SEARCH_NODES, production ? 2 : 1),
      volumeGiB: num(env.POLARIS_SEARCH_VOLUME_GIB, production ? 50 : 10),
    },
    throttle: { rate: num(env.POLARIS_API_RATE, production ? 500 : 50), burst: num(env.POLARIS_API_BURST, production ? 1000 : 100) },
    logRetentionDays: production ? 90 : 14,
    retain: production,
    alarmEmail: env.POLARIS_ALARM_EMAIL || undefined,
    dev: { databaseUrl: env.POLARIS_DEV_DATABASE_URL || undefined, openSearchUrl: env.POLARIS_DEV_OPENSEARCH_URL || undefined },
  };
}
