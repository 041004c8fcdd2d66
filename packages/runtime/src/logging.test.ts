import { afterEach, expect, it, vi } from "vitest";
import { loadConfig } from "./config";
import { createLogger } from "./logging";

/** What `run` writes to stdout and stderr. */
function written(run: () => void) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  run();
  vi.restoreAllMocks();
  return { out: out.join(""), err: err.join("") };
}
afterEach(() => vi.restoreAllMocks());

it("writes JSON lines and EMF by default (a Lambda function sets neither)", () => {
  const config = loadConfig({});
  expect(config).toMatchObject({ LOG_FORMAT: "json", METRICS: true });
  const { out } = written(() => createLogger(config).info("request", { route: "GET /healthz", status: 200, latencyMs: 3 }));
  expect(JSON.parse(out)).toMatchObject({ level: "INFO", message: "request", route: "GET /healthz", status: 200, service: "polaris" });
});

it("writes a line a person reads with LOG_FORMAT=human: a request per line, warnings and errors with their cause", () => {
  const logger = createLogger(loadConfig({ LOG_FORMAT: "human", LOG_LEVEL: "INFO" }));
  const { out, err } = written(() => {
    logger.info("request", { route: "POST /file/v1/file/list", status: 404, latencyMs: 12 });
    logger.info("request", { route: "GET /file/v1/file/download", status: 500, latencyMs: 7 });
    logger.warn("outbox publish failed; the sweeper will retry", { error: new Error("connection refused") });
    logger.error("job failed", { job: "trash.purge", error: new TypeError("x is not a function") });
    logger.debug("not shown at INFO");
  });
  expect(out).toMatch(/^\d\d:\d\d:\d\d POST \/file\/v1\/file\/list 404 12 ms\n$/);
  const lines = err.split("\n");
  expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d GET \/file\/v1\/file\/download 500 7 ms$/);
  expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN outbox publish failed; the sweeper will retry: connection refused$/);
  // An error is a bug to find: its stack comes with it.
  expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d ERROR job failed \(job trash\.purge\): TypeError: x is not a function$/);
  expect(lines[3]).toMatch(/^\s+at /);
  expect(err).not.toContain("{");
});
