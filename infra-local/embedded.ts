import { join, resolve } from "node:path";
import { createDeps, loadConfig, setDeps, type AppDeps } from "@polaris/runtime";
import { createBackground } from "./background";
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from "./embedded-s3";
import { LOCAL_SERVER_DEFAULTS, serveGateway, type Fallback } from "./gateway";

/** The background work of a running app (queues and delayed jobs), in either profile. */
export interface Background {
  /** Runs the delayed jobs that are due now. */
  runDueJobs(): Promise<unknown>;
  /** Resolves when no queued or in-flight background work remains. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningApp {
  url: string;
  deps: AppDeps;
  /** The object store's endpoint (the embedded S3 server unless one was configured). */
  s3Endpoint?: string;
  background: Background;
  close(): Promise<void>;
}

/**
 * Starts the embedded profile in this process: dependencies from `env` (PGlite unless DATABASE_URL
 * is set), an S3-compatible server on disk unless S3_ENDPOINT is set, in-process queues and jobs,
 * and the local gateway on `host:port` (port 0 picks a free one).
 */
export async function startEmbedded(env: Record<string, string | undefined>, port = 0, host = "127.0.0.1", fallback?: Fallback): Promise<RunningApp> {
  const config = loadConfig(env);
  let background: ReturnType<typeof createBackground> | undefined;
  let s3: EmbeddedS3 | undefined;
  const effectiveEnv = { ...LOCAL_SERVER_DEFAULTS, ...env };
  if (!config.S3_ENDPOINT && !config.AWS_ENDPOINT_URL) {
    s3 = await startEmbeddedS3({
      directory: join(resolve(config.POLARIS_HOME), "s3"),
      bucket: config.S3_BUCKET,
      port: config.S3_PORT,
      onEvent: (body) => background?.uploadEvent(body),
    });
    Object.assign(effectiveEnv, {
      S3_ENDPOINT: s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      AWS_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    });
  }
  const deps = await createDeps(effectiveEnv);
  setDeps(deps);
  background = createBackground(deps);
  const gateway = await serveGateway(port, host, fallback);
  return {
    url: gateway.url,
    deps,
    s3Endpoint: s3?.endpoint ?? config.S3_ENDPOINT,
    background,
    async close() {
      await gateway.close();
      await background?.close();
      await s3?.close();
      await deps.close();
    },
  };
}
