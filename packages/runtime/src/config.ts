import { z } from "zod";

const GiB = 1024 ** 3;
const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

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
