import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { startTestApp, type TestApp } from "@polaris/api-tests/support";
import { repoRoot } from "@polaris/local/gateway";
import { consoleFallback } from "@polaris/local/web";

export const screenshotsDir = resolve(repoRoot, ".polaris/screenshots");

/** The profile under test (embedded, or parity with POLARIS_TEST_PROFILE=parity) with the console served at `/`. */
export const startConsoleApp = (env: Record<string, string> = {}): Promise<TestApp> => startTestApp(env, consoleFallback);

export const chromiumPath = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: apt-get update && apt-get install -y chromium`);
  mkdirSync(screenshotsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}
