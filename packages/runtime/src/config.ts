import * as z from "zod/mini";
import { jobArnVariable, jobTable, type JobName } from "@polaris/contract";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const int = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const boolean = () => z.pipe(z.enum(["true", "false", "1", "0"]), z.transform((v) => v === "true" || v === "1"));
const flag = (fallback: boolean) => z._default(boolean(), fallback);

/** JOB_TRASH_PURGE_ARN, …: the function each delayed job runs on AWS, named after the job table. */
const jobArnVariables = Object.fromEntries(
  (Object.keys(jobTable) as JobName[]).map((job) => [jobArnVariable(job), z.optional(z.string())]),
) as Record<ReturnType<typeof jobArnVariable>, z.ZodMiniOptional<z.ZodMiniString>>;

/** Every setting of the product, read from environment variables in one place. */
const schema = z.object({
  DATABASE_URL: z.optional(z.url()),
  DATABASE_POOL_SIZE: int(10),
  MIGRATE_ON_START: flag(true).check(z.describe("apply pending migrations when a process starts; off on AWS, where the deploy runs functions/jobs/migrate")),
  POLARIS_HOME: z._default(z.string(), ".polaris"),
  PGLITE_DIR: z.optional(z.string()).check(z.describe('PGlite data directory; "memory" keeps it in memory')),
  JWT_SECRET: z.optional(z.string().check(z.minLength(32))),
  ACCESS_EXPIRE_SECONDS: int(7 * 24 * 3600),
  DEFAULT_QUOTA_BYTES: int(10 * GiB),
  LOGIN_MAX_FAILURES_PER_MOBILE: int(5),
  LOGIN_MAX_FAILURES_PER_ADDRESS: int(30),
  LOGIN_WINDOW_SECONDS: int(15 * 60),
  IDEMPOTENCY_TTL_SECONDS: int(24 * 3600).check(z.describe("how long a finished request's answer is replayed for its Idempotency-Key")),
  IDEMPOTENCY_LEASE_SECONDS: int(60).check(
    z.describe("how long an unfinished request holds its Idempotency-Key; past it the request is taken for dead (a crash) and a retry runs. Longer than any request can run: the HTTP functions' timeout is 15 s (stacks/lib/observability.ts), API Gateway's integration limit 30 s"),
  ),
  MAX_REQUEST_BYTES: int(1024 * 1024),
  CORS_ORIGINS: z._default(z.string(), "*"),
  AWS_REGION: z._default(z.string(), "us-east-1"),
  AWS_ACCESS_KEY_ID: z.optional(z.string()),
  AWS_SECRET_ACCESS_KEY: z.optional(z.string()),
  AWS_ENDPOINT_URL: z.optional(z.url()),
  KV_TABLE: z.optional(z.string()).check(z.describe("DynamoDB table (key pk, TTL expiresAt) for rate limits and idempotency keys; unset: memory and SQL")),
  S3_BUCKET: z._default(z.string(), "polaris-files"),
  S3_ENDPOINT: z.optional(z.url()).check(z.describe("S3-compatible endpoint; unset on AWS (and in the embedded profile, which starts its own)")),
  S3_FORCE_PATH_STYLE: flag(false),
  S3_PUBLIC_ENDPOINT: z.optional(z.url()).check(z.describe("where browsers reach the object store, when not at S3_ENDPOINT (the embedded profile: PUBLIC_URL/s3)")),
  S3_TRUST_CHECKSUMS: z.optional(boolean()).check(
    z.describe("the store verifies x-amz-checksum-sha256 and computes SHA-256 on copy, as S3 does; default: on for AWS, off for a custom endpoint (moto verifies nothing: uploads are then hashed by streaming)"),
  ),
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
  EVENT_BUS_NAME: z.optional(z.string()).check(z.describe("EventBridge bus the outbox is published to; unset: in-process dispatch (embedded profile)")),
  OUTBOX_SWEEP_MS: int(60_000).check(z.describe("local profiles (embedded, parity): how often the sweeper republishes outbox rows no request published")),
  OPENSEARCH_URL: z.optional(z.url()).check(z.describe("OpenSearch endpoint for filename search; unset: SQL over the files table")),
  OPENSEARCH_INDEX: z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a lower-case index name")), "polaris-files")
    .check(z.describe("the alias search reads and the indexer writes")),
  SCHEDULE_GROUP: z.optional(z.string()).check(z.describe("EventBridge Scheduler group for delayed jobs; unset: the jobs table")),
  SCHEDULER_ROLE_ARN: z.optional(z.string()).check(z.describe("the role Scheduler assumes to invoke the job functions")),
  ...jobArnVariables,
  PORT: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), 8888).check(z.describe("where a local server listens (0: any free port)")),
  HOST: z._default(z.string(), "127.0.0.1"),
  PUBLIC_URL: z.optional(z.pipe(z.url(), z.transform((u) => u.replace(/\/+$/, ""))))
    .check(z.describe("the web console's address; share links and the embedded store's presigned URLs point at it (default: http://127.0.0.1:PORT)")),
  SHARE_TOKEN_EXPIRE_SECONDS: int(2 * 3600),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS: int(5).check(z.describe("wrong extraction codes per share and client address (IPv6: its /64) in SHARE_CODE_ADDRESS_WINDOW_SECONDS")),
  SHARE_CODE_ADDRESS_WINDOW_SECONDS: int(15 * 60),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS_TOTAL: int(30).check(z.describe("wrong extraction codes per client address on all shares in SHARE_CODE_SHARE_WINDOW_SECONDS")),
  SHARE_CODE_MAX_FAILURES_PER_SHARE: int(100).check(
    z.describe("wrong extraction codes per share from everyone in SHARE_CODE_SHARE_WINDOW_SECONDS; past it each address gets one check per window (the right code is never refused to an address that has not been guessing)"),
  ),
  SHARE_CODE_SHARE_WINDOW_SECONDS: int(3600),
  METRICS: flag(true).check(z.describe("emit CloudWatch EMF metric lines (per-route requests, errors, latency; uploads)")),
  METRICS_FLUSH_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 0).check(
    z.describe("gather a route's metrics this long into one EMF line; 0 writes each request's at once, as a Lambda function must (it may be frozen right after answering)"),
  ),
  LOG_LEVEL: z._default(z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]), "INFO"),
});

// zod drops the JOB_*_ARN keys' template type; the parsed object carries them.
export type Config = Omit<z.infer<typeof schema>, "PUBLIC_URL" | "S3_TRUST_CHECKSUMS"> & { PUBLIC_URL: string; S3_TRUST_CHECKSUMS: boolean } & Partial<Record<ReturnType<typeof jobArnVariable>, string>>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  const config = parsed.data;
  return {
    ...config,
    PUBLIC_URL: config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`,
    // Only Amazon S3 is known to verify checksums without being told; a custom endpoint must say so.
    S3_TRUST_CHECKSUMS: config.S3_TRUST_CHECKSUMS ?? (!config.S3_ENDPOINT && !config.AWS_ENDPOINT_URL),
  } as Config;
}
