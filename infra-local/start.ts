import { loadConfig } from "@polaris/runtime";
import { startEmbedded } from "./embedded";
import { buildConsoleIfNeeded, consoleFallback } from "./web";

// The embedded profile: everything in this process, state under .polaris/.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const { PORT, HOST, LOG_LEVEL } = loadConfig(process.env);
await buildConsoleIfNeeded();
const app = await startEmbedded(process.env, PORT, HOST, consoleFallback).catch((error: NodeJS.ErrnoException) => {
  // A person reads this: the reason (port taken, the state folder in use, …), not a stack trace.
  const reason =
    error.code === "EADDRINUSE" ? `port ${PORT} on ${HOST} is in use (start with PORT=<another port> npm start)` : error.message;
  console.error(`Polaris could not start: ${LOG_LEVEL === "DEBUG" ? error.stack : reason}`);
  process.exit(1);
});
console.log(`Polaris is running (embedded profile, state in ${app.deps.config.POLARIS_HOME}/)
  Console: ${app.url}/
  API:     ${app.url}  (try: curl ${app.url}/healthz)
  Docs:    ${app.url}/docs
Press Ctrl-C to stop.`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
