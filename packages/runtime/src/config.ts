import { z } from "zod";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = (fallback: boolean) => z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").default(fallback);

/** Every setting of the product, read from environment variables in one place. */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: int(10),
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
  UPLOAD_EVENTS_QUEUE_URL: z.string().url().optional().describe("parity profile: the S3 notification queue the local dispatcher drains"),
  INDEX_QUEUE_URL: z.string().url().optional().describe("parity profile: the search index queue the local dispatcher drains"),
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
  PUBLIC_URL: z.string().url().default("http://127.0.0.1:8888").transform((u) => u.replace(/\/+$/, "")).describe("the web console's address; share links point at it"),
  SHARE_TOKEN_EXPIRE_SECONDS: int(2 * 3600),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS: int(5),
  SHARE_CODE_ADDRESS_WINDOW_SECONDS: int(15 * 60),
  SHARE_CODE_MAX_FAILURES_PER_SHARE: int(20),
  SHARE_CODE_SHARE_WINDOW_SECONDS: int(3600),
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
