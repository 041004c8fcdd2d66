import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bytes, startTestApp, uploadFile, type TestApp } from "./support";

let app: TestApp;
// A folder as `npm start` finds one made by hand or by an older version: readable by everyone.
const home = mkdtempSync(join(tmpdir(), "polaris-home-"));
beforeAll(async () => {
  chmodSync(home, 0o755);
  app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded");
});
afterAll(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

it("keeps the embedded state folder (objects, database, keys) to its owner: mode 0700", async () => {
  const { token } = await app.signUp();
  await uploadFile(app, token, bytes(100, 51));
  expect(statSync(home).mode & 0o777).toBe(0o700);
});
