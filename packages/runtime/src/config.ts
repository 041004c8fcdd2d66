import { z } from "zod";
import { jobArnVariable, jobTable, type JobName } from "@polaris/contract";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = (fallback: boolean) => z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").default(fallback);

/** JOB_TRASH_PURGE_ARN, …: the function each delayed job runs on AWS, named after the job table. */
const jobArnVariables = Object.fromEntries(
  (Object.keys(jobTable) as JobName[]).map((job) => [jobArnVariable(job), z.string().optional()]),
) as Record<ReturnType<typeof jobArnVariable>, z.ZodOptional<z.ZodString>>;

/** Every setting of the product, read from environment variables in one place. */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: int(10),
  MIGRATE_ON_START: flag(true).describe("apply pending migrations when a process starts; off on AWS, where the deploy runs functions/jobs/migrate"),
  POLARIS_HOME: z.string().default(".polaris"),
  PGLITE_DIR: z.string().optional().describe('PGlite data directory; "memory" keeps it in memory'),
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_EXPIRE_SECONDS: int(7 * 24 * 3600),
  DEFAULT_QUOTA_BYTES: int(10 * GiB),
  LOGIN_MAX_FAILURES_PER_MOBILE: int(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(30),
  LOGIN_WINDOW_SECONDS: int(15 * 60),
  IDEMPOTENCY_TTL_SECONDS: int(24 * 3600),
  MAX_REQUEST_BYTES: int(1024 * 1024),
  CORS_ORIGINS: z.string().default("*"),
  AWS_REGION: z.string().default("us-east-1"),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  KV_TABLE: z.string().optional().describe("DynamoDB table (key pk, TTL expiresAt) for rate limits and idempotency keys; unset: memory and SQL"),
  S3_BUCKET: z.string().default("polaris-files"),
  S3_ENDPOINT: z.string().url().optional().describe("S3-compatible endpoint; unset on AWS (and in the embedded profile, which starts its own)"),
  S3_FORCE_PATH_STYLE: flag(false),
  S3_PORT: z.coerce.number().int().min(0).max(65535).default(0).describe("embedded S3 server port (0: any free port)"),
  MAX_UPLOAD_BYTES: int(5 * GiB),
  MULTIPART_THRESHOLD_BYTES: int(64 * MiB),
  MULTIPART_PART_SIZE_BYTES: int(16 * MiB),
  UPLOAD_TTL_SECONDS: int(30 * 60),
  MULTIPART_TTL_SECONDS: int(24 * 3600),
  PRESIGN_EXPIRES_SECONDS: int(3600),
  TRASH_RETENTION_SECONDS: int(30 * 24 * 3600),
  PROOF_BYTES: int(64 * 1024),
  CHALLENGE_TTL_SECONDS: int(300),
  JOB_POLL_MS: int(1000),
  EVENT_BUS_NAME: z.string().optional().describe("EventBridge bus the outbox is published to; unset: in-process dispatch (embedded profile)"),
  OUTBOX_SWEEP_MS: int(60_000).describe("local profiles (embedded, parity): how often the sweeper republishes outbox rows no request published"),
  OPENSEARCH_URL: z.string().url().optional().describe("OpenSearch endpoint for filename search; unset: SQL over the files table"),
  OPENSEARCH_INDEX: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a lower-case index name").default("polaris-files").describe("the alias search reads and the indexer writes"),
  SCHEDULE_GROUP: z.string().optional().describe("EventBridge Scheduler group for delayed jobs; unset: the jobs table"),
  SCHEDULER_ROLE_ARN: z.string().optional().describe("the role Scheduler assumes to invoke the job functions"),
  ...jobArnVariables,
  PUBLIC_URL: z.string().url().default("http://127.0.0.1:8888").transform((u) => u.replace(/\/+$/, "")).describe("the web console's address; share links point at it"),
  SHARE_TOKEN_EXPIRE_SECONDS: int(2 * 3600),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS: int(5),
  SHARE_CODE_ADDRESS_WINDOW_SECONDS: int(15 * 60),
  SHARE_CODE_MAX_FAILURES_PER_SHARE: int(20),
  SHARE_CODE_SHARE_WINDOW_SECONDS: int(3600),
  METRICS: flag(true).describe("emit CloudWatch EMF metric lines (per-route requests, errors, latency; uploads)"),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
});

// zod drops the JOB_*_ARN keys' template type; the parsed object carries them.
export type Config = z.infer<typeof schema> & Partial<Record<ReturnType<typeof jobArnVariable>, string>>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
