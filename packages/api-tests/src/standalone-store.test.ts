import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, sha256, startTestApp, upload, uploadFile, type TestApp } from "./support";
import { repoRoot } from "@polaris/local/gateway";

// The MinIO/Garage path: an S3-compatible server at S3_ENDPOINT that sends no notifications (the
// store run by `npm run s3`), so uploads complete through the client's callback alone.
const MiB = 1024 * 1024;
let store: ChildProcess;
let app: TestApp;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "polaris-s3-"));
  store = spawn(process.execPath, ["--import", "tsx", "infra-local/s3-server.ts"], {
    cwd: repoRoot,
    env: { ...process.env, POLARIS_HOME: home, S3_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = "";
    store.stdout!.on("data", (chunk) => {
      out += chunk;
      const m = /object store: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    store.once("exit", (code) => reject(new Error(`npm run s3 exited with ${code}: ${out}`)));
  });
  const credentials = JSON.parse(readFileSync(join(home, "s3-credentials.json"), "utf8"));
  app = await startTestApp(
    {
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: "true",
      S3_TRUST_CHECKSUMS: "true",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
      MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
    },
    undefined,
    "embedded",
  );
});
afterAll(async () => {
  await app?.close();
  if (store && store.exitCode === null) {
    const exited = new Promise((resolve) => store.once("exit", resolve));
    store.kill("SIGTERM");
    await exited;
  }
  rmSync(home, { recursive: true, force: true });
});

const download = async (token: string, identity: string) => {
  const dl = await app.call("GET", "/file/v1/file/download", { token, query: { identity } });
  return sha256(Buffer.from(await (await fetch(dl.body.data.url)).arrayBuffer()));
};

describe("an S3-compatible store without notifications (npm run s3)", () => {
  it("completes single and multipart uploads through the callback, and the bytes come back", async () => {
    const { token } = await app.signUp();
    for (const content of [bytes(4000, 31), bytes(11 * MiB + 5, 32)]) {
      const identity = await uploadFile(app, token, content);
      expect(await download(token, identity)).toEqual(sha256(content));
    }
    const quota = await app.call("GET", "/usercenter/v1/user/quota", { token });
    expect(quota.body.data).toMatchObject({ usedSize: 4000 + 11 * MiB + 5, reservedSize: 0 });
  });

  it("refuses other bytes than the declared ones at the store, and a known content is linked only after a proof", async () => {
    const { token } = await app.signUp();
    const content = bytes(5000, 33);
    const forged = Buffer.from(content);
    forged[7] ^= 1;
    expect((await upload(app, token, content, { sendBytes: forged })).refused).toEqual({ status: 400, code: "BadDigest" });
    await uploadFile(app, token, content, { name: "first.bin" });
    const ask = await app.call("POST", "/file/v1/upload/instant", {
      token,
      body: { hash: sha256(content), size: content.length, name: "again.bin" },
    });
    expect(ask.body.data).toMatchObject({ exists: true, challenge: expect.any(Object) });
  });
});
