import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { freshDatabaseEnv } from "@polaris/api-tests/support";
import { startEmbedded, type RunningApp } from "../embedded";
import { repoRoot } from "../gateway";
import { consoleFallback } from "../web";

export const screenshotsDir = resolve(repoRoot, ".polaris/screenshots");

/** The embedded profile with the console served at `/` by the gateway fallback. */
export async function startConsoleApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const database = await freshDatabaseEnv();
  const home = mkdtempSync(join(tmpdir(), "polaris-browser-"));
  const app = await startEmbedded({ POLARIS_HOME: home, LOG_LEVEL: "SILENT", ...database.env, ...env }, 0, "127.0.0.1", consoleFallback);
  return {
    ...app,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

export const chromiumPath = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get update && apt-get install -y chromium`);
  mkdirSync(screenshotsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}
