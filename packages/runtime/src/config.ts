import * as z from "zod/mini";
import { jobArnVariable, jobTable, type JobName } from "@polaris/contract";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const int = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);
const boolean = () =>
  z.pipe(
    z.enum(["true", "false", "1", "0"]),
    z.transform((v) => v === "true" || v === "1"),
  );
const flag = (fallback: boolean) => z._default(boolean(), fallback);

/** The profiles of the README: where a setting takes effect. */
export const PROFILES = ["embedded", "parity", "aws"] as const;
export type Profile = (typeof PROFILES)[number];
const local = ["embedded", "parity"] as const;
const provisioned = ["parity", "aws"] as const;

/** One setting: how it parses (and its default), what it means, where it applies. */
export interface Setting<S extends z.ZodMiniType = z.ZodMiniType> {
  schema: S;
  meaning: string;
  profiles: readonly Profile[];
  /** The default as documented, when it is derived at load time or set by a profile rather than in the schema. */
  shownDefault?: string;
}

const setting = <S extends z.ZodMiniType>(
  schema: S,
  meaning: string,
  options: { profiles?: readonly Profile[]; shownDefault?: string } = {},
): Setting<S> => ({ schema, meaning, profiles: options.profiles ?? PROFILES, shownDefault: options.shownDefault });

/** JOB_TRASH_PURGE_ARN, …: the function each delayed job runs on AWS, named after the job table. */
const jobArnSettings = Object.fromEntries(
  (Object.keys(jobTable) as JobName[]).map((job) => [
    jobArnVariable(job),
    setting(z.optional(z.string()), `the function EventBridge Scheduler invokes for the ${job} job (\`${jobTable[job].handler}\`)`, {
      profiles: provisioned,
    }),
  ]),
) as Record<ReturnType<typeof jobArnVariable>, Setting<z.ZodMiniOptional<z.ZodMiniString>>>;

/**
 * Every setting of the product, read from environment variables in one place: the parser below, the
 * composition root (through Config) and the README's configuration table (`npm run docs:config`) come
 * from it. The table lists them in this order.
 */
export const settings = {
  PORT: setting(
    z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), 8888),
    "where a local server listens: API, console and object store on one port (0: any free port)",
    { profiles: local },
  ),
  HOST: setting(z._default(z.string(), "127.0.0.1"), "the address a local server listens on (`0.0.0.0`: every interface)", {
    profiles: local,
  }),
  PUBLIC_URL: setting(
    z.optional(
      z.pipe(
        z.url(),
        z.transform((u) => u.replace(/\/+$/, "")),
      ),
    ),
    "the web console's address: base of share links (`/s/<identity>`) and of the embedded store's presigned URLs",
    { shownDefault: "`http://127.0.0.1:PORT`" },
  ),
  POLARIS_HOME: setting(
    z._default(z.string(), ".polaris"),
    "local state: the database cluster (`postgres/`), the object store's files (`objects/`) and its generated key pair (`s3-credentials.json`), the generated JWT secret; kept to its owner (mode 0700, set at every start; 0710 for the database's user as root); `/tmp/polaris` on AWS",
  ),
  DATABASE_URL: setting(
    z.optional(z.url()),
    "PostgreSQL server (`postgres://…`); unset: the embedded profile runs its own under `POLARIS_HOME/postgres`",
  ),
  PGLITE_DIR: setting(z.optional(z.string()), "run on PGlite instead, in that folder (`memory`: in memory, as the fast tests do)", {
    profiles: ["embedded"],
  }),
  DATABASE_POOL_SIZE: setting(
    int(10),
    "database connections per process (the functions on AWS take 2: one request at a time, RDS Proxy multiplexes)",
  ),
  DATABASE_IDLE_MS: setting(
    int(10_000),
    "a pooled connection idle this long is closed (the embedded profile's own server: 1000, each idle backend holds memory)",
  ),
  MIGRATE_ON_START: setting(
    flag(true),
    "apply pending migrations when a process starts; off on AWS, where the deploy runs `functions/jobs/migrate`",
  ),
  JWT_SECRET: setting(
    z.optional(z.string().check(z.minLength(32))),
    "HS256 key for access and share tokens (≥ 32 chars; required on AWS, where the stacks pass an SST secret)",
    { shownDefault: "generated into `POLARIS_HOME/jwt-secret`" },
  ),
  ACCESS_EXPIRE_SECONDS: setting(int(7 * 24 * 3600), "access token lifetime (`refreshAfter` is half of it)"),
  SHARE_TOKEN_EXPIRE_SECONDS: setting(int(2 * 3600), "lifetime of a share token, issued once a visitor passed the extraction code"),
  DEFAULT_QUOTA_BYTES: setting(int(10 * GiB), "quota of new users"),
  LOGIN_MAX_FAILURES_PER_MOBILE: setting(int(5), "wrong passwords per mobile number in `LOGIN_WINDOW_SECONDS`; then login answers 429"),
  LOGIN_MAX_FAILURES_PER_ADDRESS: setting(int(30), "wrong passwords per client address in `LOGIN_WINDOW_SECONDS`; then login answers 429"),
  LOGIN_WINDOW_SECONDS: setting(int(15 * 60), "the window of the login throttles"),
  ADMIN_MOBILES: setting(
    z._default(
      z.pipe(
        z.string(),
        z.transform((v) =>
          v
            .split(",")
            .map((m) => m.trim())
            .filter(Boolean),
        ),
      ),
      [],
    ),
    "comma-separated mobiles that are administrators (at registration, or at their next login); unset: the first account registered on a fresh install is",
    { shownDefault: "–" },
  ),
  PASSWORD_HASH_COST: setting(
    z._default(z.coerce.number().check(z.int(), z.minimum(10), z.maximum(17)), 15),
    "scrypt's cost for new password hashes, as log2 of N (10–17; 15: 32 MB and ~0.1 s a derivation); stored beside each hash, so raising it needs no reset. Lower only for tests",
  ),
  AUTH_CACHE_SECONDS: setting(
    z._default(z.coerce.number().check(z.int(), z.nonnegative()), 5),
    "how long a process trusts what it read about a token's account (token version, sign-out, disabled, role): a sign-out or disable made by another process (Lambda container) takes effect within it, the answering one's at once; 0: read on every request",
  ),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS: setting(
    int(5),
    "wrong extraction codes per share and client address (IPv6: its /64) in `SHARE_CODE_ADDRESS_WINDOW_SECONDS` (see Security)",
  ),
  SHARE_CODE_ADDRESS_WINDOW_SECONDS: setting(int(15 * 60), "the window of `SHARE_CODE_MAX_FAILURES_PER_ADDRESS`"),
  SHARE_CODE_MAX_FAILURES_PER_ADDRESS_TOTAL: setting(
    int(30),
    "wrong extraction codes per client address on all shares in `SHARE_CODE_SHARE_WINDOW_SECONDS`",
  ),
  SHARE_CODE_MAX_FAILURES_PER_SHARE: setting(
    int(100),
    "wrong extraction codes per share from everyone in `SHARE_CODE_SHARE_WINDOW_SECONDS`; past it each address gets one check per window (the right code is never refused to an address that has not been guessing)",
  ),
  SHARE_CODE_SHARE_WINDOW_SECONDS: setting(
    int(3600),
    "the window of `SHARE_CODE_MAX_FAILURES_PER_ADDRESS_TOTAL` and `SHARE_CODE_MAX_FAILURES_PER_SHARE`",
  ),
  IDEMPOTENCY_LEASE_SECONDS: setting(
    int(60),
    "how long an unfinished request holds its `Idempotency-Key`; past it the request is taken for dead (a crash) and a retry runs. Longer than any request can run: the HTTP functions' timeout is 15 s (`stacks/lib/observability.ts`), API Gateway's integration limit 30 s",
  ),
  IDEMPOTENCY_TTL_SECONDS: setting(int(24 * 3600), "how long a finished request's answer is replayed for its `Idempotency-Key`"),
  MAX_REQUEST_BYTES: setting(int(1024 * 1024), "larger request bodies answer 413 before they are validated"),
  CORS_ORIGINS: setting(z._default(z.string(), "*"), "allowed browser origins, comma-separated"),
  S3_BUCKET: setting(z._default(z.string(), "polaris-files"), "the bucket every object is stored in"),
  S3_ENDPOINT: setting(
    z.optional(z.url()),
    "an S3-compatible endpoint; unset on AWS, and in the embedded profile, which serves its own store under `/s3`",
    { profiles: local },
  ),
  S3_FORCE_PATH_STYLE: setting(flag(false), "address the bucket in the path (`endpoint/bucket/key`), as most S3-compatible servers need", {
    profiles: local,
  }),
  S3_PUBLIC_ENDPOINT: setting(z.optional(z.url()), "where browsers reach the store, when this process reaches it at another address", {
    profiles: local,
    shownDefault: "– (embedded: `PUBLIC_URL/s3`)",
  }),
  S3_TRUST_CHECKSUMS: setting(
    z.optional(boolean()),
    "the store verifies declared checksums and computes SHA-256 on copy (S3, the embedded store and `npm run s3` do; moto does not: completion then hashes by streaming)",
    { shownDefault: "`true` on AWS, `false` with a custom endpoint" },
  ),
  AWS_REGION: setting(z._default(z.string(), "us-east-1"), "the region of every AWS SDK client"),
  AWS_ENDPOINT_URL: setting(z.optional(z.url()), "points every AWS SDK client at moto or LocalStack", { profiles: ["parity"] }),
  AWS_ACCESS_KEY_ID: setting(
    z.optional(z.string()),
    "with `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`): the credentials of the AWS SDK clients; Lambda sets all three for the function's role, the embedded profile passes its store's key pair; unset: the SDK's default chain",
  ),
  AWS_SECRET_ACCESS_KEY: setting(z.optional(z.string()), "the secret of `AWS_ACCESS_KEY_ID`"),
  AWS_SESSION_TOKEN: setting(
    z.optional(z.string()),
    "the session token of temporary credentials (a role's, as on Lambda): requests and presigned URLs carry it",
  ),
  MAX_UPLOAD_BYTES: setting(int(5 * GiB), "larger uploads answer 413 300025"),
  MULTIPART_THRESHOLD_BYTES: setting(int(64 * MiB), "above it uploads are multipart"),
  MULTIPART_PART_SIZE_BYTES: setting(int(16 * MiB), "the size of a multipart upload's parts"),
  UPLOAD_TTL_SECONDS: setting(int(30 * 60), "an unfinished single-request upload is aborted after it and its reservation released"),
  MULTIPART_TTL_SECONDS: setting(int(24 * 3600), "an unfinished multipart upload is aborted after it and its reservation released"),
  PRESIGN_EXPIRES_SECONDS: setting(int(3600), "lifetime of presigned upload and download URLs"),
  PROOF_BYTES: setting(int(64 * 1024), "bytes an instant upload's proof of possession covers (fewer for smaller files)"),
  CHALLENGE_TTL_SECONDS: setting(int(300), "how long an instant upload's proof challenge can be answered"),
  TRASH_RETENTION_SECONDS: setting(int(30 * 24 * 3600), "recycle-bin retention"),
  ZIP_MAX_BYTES: setting(int(10 * GiB), "a zip job may pack at most this many bytes of files; larger selections answer 413 300040"),
  ZIP_MAX_ENTRIES: setting(int(100_000), "a zip job may pack at most this many files and folders; more answer 413 300040"),
  ZIP_PART_BYTES: setting(
    int(16 * MiB),
    "the parts a zip job uploads its zip in: what its worker holds in memory at most, beside read buffers",
  ),
  ZIP_TTL_SECONDS: setting(int(24 * 3600), "how long a finished zip can be downloaded before the zip.expire job deletes it"),
  ZIP_JOBS_PER_HOUR: setting(int(30), "zip jobs per user (or, on a share, per client address) in an hour; then 429"),
  VERSION_KEEP_COUNT: setting(
    z._default(z.coerce.number().check(z.int(), z.nonnegative()), 20),
    "previous versions kept per file, besides the current one; the oldest beyond it are pruned by the version.prune job (0: no count limit)",
  ),
  VERSION_KEEP_DAYS: setting(
    z._default(z.coerce.number().check(z.int(), z.nonnegative()), 0),
    "previous versions replaced longer ago than this many days are pruned by the version.prune job (0: kept whatever their age)",
  ),
  EVENT_BUS_NAME: setting(
    z.optional(z.string()),
    "EventBridge bus the outbox is published to; unset: in-process dispatch (embedded profile)",
    { profiles: provisioned },
  ),
  OUTBOX_SWEEP_MS: setting(int(60_000), "how often the sweeper republishes outbox rows no request published (on AWS a schedule runs it)", {
    profiles: local,
  }),
  OPENSEARCH_URL: setting(z.optional(z.url()), "OpenSearch endpoint for filename search; unset: SQL over the files table", {
    profiles: provisioned,
  }),
  OPENSEARCH_INDEX: setting(
    z._default(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a lower-case index name")), "polaris-files"),
    "the alias search reads and the indexer writes",
    { profiles: provisioned },
  ),
  SCHEDULE_GROUP: setting(z.optional(z.string()), "EventBridge Scheduler group for delayed jobs; unset: the jobs table", {
    profiles: provisioned,
  }),
  SCHEDULER_ROLE_ARN: setting(
    z.optional(z.string()),
    "the role Scheduler assumes to invoke the job functions; required with `SCHEDULE_GROUP`",
    { profiles: provisioned },
  ),
  ...jobArnSettings,
  JOB_POLL_MS: setting(
    int(1000),
    "how often due delayed jobs are looked for: the jobs table (embedded; every 30 s on its own PostgreSQL server, where a poll each second kept a backend alive), the schedules (parity)",
    {
      profiles: local,
    },
  ),
  KV_TABLE: setting(
    z.optional(z.string()),
    "DynamoDB table (key `pk`, TTL `expiresAt`) for rate limits and idempotency keys; unset: memory and SQL",
    { profiles: provisioned },
  ),
  LOG_LEVEL: setting(
    z._default(z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]), "INFO"),
    "the least severe log lines written: `DEBUG`, `INFO`, `WARN`, `ERROR` or `SILENT`",
  ),
  LOG_FORMAT: setting(
    z._default(z.enum(["json", "human"]), "json"),
    "`json`: structured log lines (Powertools: request id, user id, latency), as CloudWatch reads them; `human`: one line per request (time, method, path, status, ms) and the warnings and errors with their message",
    { shownDefault: "`json` (local servers: `human`)" },
  ),
  METRICS: setting(flag(true), "emit CloudWatch EMF metric lines (per-route requests, errors, latency; uploads)", {
    shownDefault: "`true` (local servers: `false`)",
  }),
  METRICS_FLUSH_MS: setting(
    z._default(z.coerce.number().check(z.int(), z.nonnegative()), 0),
    "gather a route's metrics this long into one EMF line; 0 writes each request's at once, as a Lambda function must (it may be frozen right after answering)",
    { shownDefault: "`0` (local servers: `1000`)" },
  ),
};

type Settings = typeof settings;
const schema = z.object(
  Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, s.schema])) as { [K in keyof Settings]: Settings[K]["schema"] },
);

// zod drops the JOB_*_ARN keys' template type; the parsed object carries them.
export type Config = Omit<z.infer<typeof schema>, "PUBLIC_URL" | "S3_TRUST_CHECKSUMS"> & {
  PUBLIC_URL: string;
  S3_TRUST_CHECKSUMS: boolean;
} & Partial<Record<ReturnType<typeof jobArnVariable>, string>>;

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
