// The project's local services: install (cached), start (detached, idempotent), stop, status.
// Used by the test orchestrator, `npm run start:parity` and `npm run services -- up|down|status`.
//
// State lives under <repo>/.polaris/services/<name>/ (git-ignored): pid file, log file, data.
// Every started process is detached, so `down` works from any other process.
import { downAws, statusAws, upAws } from "./aws";
import { downOpenSearch, statusOpenSearch, upOpenSearch } from "./opensearch";
import { downPostgres, statusPostgres, upPostgres } from "./postgres";
import { withLock } from "./util";

export type ServiceName = "postgres" | "aws" | "opensearch";
export interface Endpoints {
  postgres?: { url: string };
  aws?: { endpoint: string; region: string };
  opensearch?: { url: string };
}
export type ServiceStatus = "running" | "stopped" | "not-installed";

export const SERVICE_NAMES: readonly ServiceName[] = ["postgres", "aws", "opensearch"];
/** What the parity profile runs on: all of them. */
export const PARITY_SERVICES: ServiceName[] = [...SERVICE_NAMES];

export { resourceEnv, RESOURCES } from "./resources";

function check(names: readonly string[]): ServiceName[] {
  const bad = names.filter((n) => !SERVICE_NAMES.includes(n as ServiceName));
  if (bad.length) throw new Error(`unknown local service(s): ${bad.join(", ")} (known: ${SERVICE_NAMES.join(", ")})`);
  return [...new Set(names as ServiceName[])];
}

function combine(errors: unknown[], what: string): Error {
  if (errors.length === 1 && errors[0] instanceof Error) return errors[0];
  const err = new Error(`${what}:\n\n${errors.map((e) => (e instanceof Error ? e.message : String(e))).join("\n\n")}`);
  (err as Error & { errors?: unknown[] }).errors = errors;
  return err;
}

/**
 * Installs (cached), starts (if not already running) and waits until ready, for each service,
 * in parallel. Idempotent; safe to call from several processes at once (a per-service lock).
 * Throws an Error naming each service that could not be installed or started, with the tail of
 * its log file; services that did come up are left running.
 */
export async function up(names: ServiceName[], opts?: { log?: (line: string) => void }): Promise<Endpoints> {
  const log = opts?.log ?? (() => {});
  const wanted = check(names);
  const endpoints: Endpoints = {};
  const results = await Promise.allSettled(
    wanted.map(async (name) => {
      switch (name) {
        case "postgres":
          endpoints.postgres = await withLock(name, () => upPostgres(log));
          break;
        case "aws":
          endpoints.aws = await withLock(name, () => upAws(log));
          break;
        case "opensearch":
          endpoints.opensearch = await withLock(name, () => upOpenSearch(log));
          break;
      }
    }),
  );
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
  if (errors.length) throw combine(errors, `${errors.length} local service(s) could not be started`);
  return endpoints;
}

/** Stops the given services (default: all) that this repo started. */
export async function down(names?: ServiceName[]): Promise<void> {
  const wanted = check(names ?? [...SERVICE_NAMES]);
  const results = await Promise.allSettled(
    wanted.map((name) =>
      withLock(name, () => (name === "postgres" ? downPostgres() : name === "aws" ? downAws() : downOpenSearch()), 5 * 60_000),
    ),
  );
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
  if (errors.length) throw combine(errors, `${errors.length} local service(s) could not be stopped`);
}

/** running: our process is alive, or the port answers as that service; stopped: installed, not running. */
export async function status(): Promise<Record<ServiceName, ServiceStatus>> {
  const [postgres, aws, opensearch] = await Promise.all([statusPostgres(), statusAws(), statusOpenSearch()]);
  return { postgres, aws, opensearch };
}
