import { startEmbedded } from "@polaris/local/embedded";

// The embedded server in a process of its own, so the bench can read its memory apart from the load generator's.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const app = await startEmbedded({ ...process.env, LOG_LEVEL: "ERROR" }, 0);
process.stdout.write(`${JSON.stringify({ url: app.url })}\n`);
process.on("SIGTERM", async () => {
  await app.close();
  process.exit(0);
});
