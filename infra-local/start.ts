import { startEmbedded } from "./embedded";

// The embedded profile: everything in this process, state under .polaris/.
const port = Number(process.env.PORT ?? 8888);
const app = await startEmbedded(process.env, port, process.env.HOST ?? "127.0.0.1");
console.log(`Polaris is running (embedded profile)\n  API:  ${app.url}\n  Docs: ${app.url}/docs\n  Press Ctrl-C to stop.`);

const stop = async () => {
  await app.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
