export { loadConfig, type Config } from "./config";
export { awsClientConfig, createDeps, getDeps, setDeps, type AppDeps } from "./composition";
export { httpHandler, errorResult, type RequestContext } from "./http";
export { sqsBatchHandler, jobHandler } from "./background";
export { emitMetrics, type MetricEntry } from "./metrics";
export { idempotencyScope, requestHash } from "./idempotency";
export { createLogger, writeRequestLine } from "./logging";
