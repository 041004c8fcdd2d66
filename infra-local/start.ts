import { loadConfig } from "@polaris/runtime";
import { startEmbedded, type StartStep } from "@polaris/local/embedded";
import { buildConsole, consoleBuiltAt, consoleFallback } from "@polaris/local/web";

// The embedded profile: everything in this process, state under .polaris/.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { PORT, HOST, LOG_LEVEL, POLARIS_HOME } = loadConfig(process.env);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (text: string) => void process.stdout.write(text);
/** Local date and time as YYYY-MM-DD HH:MM: toLocaleString would page in ICU's locale data, ~8 MB of the idle server's RSS. */
const localTime = (date: Date) => {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
};

/**
 * Each step of the start on a line of its own, named before it runs (the first start builds the
 * console and creates the database: tens of seconds a person should see pass) and timed when done.
 */
const step: StartStep = async (label, run) => {
  const started = performance.now();
  say(`  ${label} … `);
  try {
    const result = await run();
    say(`${seconds(performance.now() - started)}\n`);
    return result;
  } catch (error) {
    say("failed\n");
    throw error;
  }
};

say(`Starting Polaris (embedded profile, state in ${POLARIS_HOME}/)\n`);
// Node's start and launch.mjs's esbuild bundle of the server, before this module ran.
say(`  server bundle (esbuild) … ${seconds(process.uptime() * 1000)}\n`);
const built = consoleBuiltAt();
if (built) say(`  web console: up to date (built ${localTime(built)}, kept in packages/web/dist)\n`);
else await step("web console: building with Vite (its sources changed since the last build)", buildConsole);

const app = await startEmbedded(process.env, PORT, HOST, consoleFallback, step).catch((error: NodeJS.ErrnoException) => {
  // A person reads this: the reason (port taken, the state folder in use, …), not a stack trace.
  const reason =
    error.code === "EADDRINUSE" ? `port ${PORT} on ${HOST} is in use (start with PORT=<another port> npm start)` : error.message;
  console.error(`Polaris could not start: ${LOG_LEVEL === "DEBUG" ? error.stack : reason}`);
  process.exit(1);
});
console.log(`Polaris is running (ready in ${seconds(process.uptime() * 1000)})
  Console: ${app.url}/
  API:     ${app.url}  (try: curl ${app.url}/healthz)
  Docs:    ${app.url}/docs
Each request is logged below (LOG_FORMAT=json for JSON lines, METRICS=true for EMF metrics). Press Ctrl-C to stop.`);

// A person who pressed Ctrl-C sees that it was heard, and that the drive is kept.
const stop = async () => {
  say("\nStopping Polaris (finishing the requests in flight) …\n");
  await app.close();
  say(`Polaris stopped. The drive is kept in ${POLARIS_HOME}/; npm start opens it again.\n`);
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
