import { down, PARITY_SERVICES, resourceEnv, status, up } from "./services";
import { buildConsoleIfNeeded, consoleFallback } from "@polaris/local/web";
import { startParity } from "@polaris/local/parity/start";

// The SDK warns once per process that releases after January 2027 need Node 22: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// `npm run start:parity`: the local services (installed and started if needed), then the same
// handlers behind the gateway, with the SQS dispatcher and the scheduler runner. Ctrl-C stops what
// this process started; services that were already running stay up.
const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const before = await status();
const [endpoints] = await Promise.all([
  up(PARITY_SERVICES, { log: (line) => console.log(`  [services] ${line}`) }),
  buildConsoleIfNeeded(),
]);
const ours = PARITY_SERVICES.filter((name) => before[name] !== "running");
console.log(`services and console ready in ${seconds(started)}${ours.length ? ` (started: ${ours.join(", ")})` : " (all were running)"}`);

const port = Number(process.env.PORT ?? 8888);
const app = await startParity({ ...resourceEnv(endpoints), ...process.env }, port, {
  host: process.env.HOST ?? "127.0.0.1",
  fallback: consoleFallback,
});
console.log(`Polaris is running (parity profile), ready in ${seconds(started)}
  Console:    ${app.url}
  API docs:   ${app.url}/docs
  PostgreSQL: ${endpoints.postgres!.url}
  AWS:        ${endpoints.aws!.endpoint} (S3 bucket ${app.deps.config.S3_BUCKET}, SQS, EventBridge, Scheduler, DynamoDB)
  OpenSearch: ${endpoints.opensearch!.url}
  Press Ctrl-C to stop.`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("stopping…");
  await app.close();
  // Stop only the services this process started.
  if (ours.length) await down(ours);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
