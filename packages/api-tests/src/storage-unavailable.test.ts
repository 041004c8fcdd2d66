import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createObjectStore, type ObjectStore } from "@polaris/local/object-store/server";
import { bytes, listNames, quota, sha256, startTestApp, type TestApp } from "./support";

/**
 * An object store that cannot serve (stopped, throttling, cutting a response off, losing a part it
 * listed) is 502 300020 with a message saying so, never 500, and leaves nothing half-written: no file
 * row, no reservation held for a session the client never got, and a retry completes once the store
 * is back (issue 16, defect 9). The store is the local one, in this process behind a server the test
 * can stop or make misbehave; the app reaches it at S3_ENDPOINT as it would MinIO.
 */

type Fault = "none" | "throttle" | "cut-downloads" | "lose-parts";
const credentials = { accessKeyId: "TESTKEY", secretAccessKey: "test-secret-key" };
const PART = 100_000;
let home: string;
let store: ObjectStore;
let server: Server | undefined;
let port = 0;
let fault: Fault = "none";
let app: TestApp;

const s3Error = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) => {
  req.resume();
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
};

function handle(req: IncomingMessage, res: ServerResponse) {
  const multipart = /[?&]uploadId=/.test(req.url ?? "");
  if (fault === "throttle") return s3Error(req, res, 503, "SlowDown", "Please reduce your request rate.");
  if (fault === "lose-parts" && req.method === "POST" && multipart)
    return s3Error(req, res, 404, "NoSuchKey", "The specified key does not exist.");
  if (fault === "cut-downloads" && req.method === "GET" && !multipart) {
    // Half of the first chunk of the object, then the connection drops: the store died mid-response.
    const write = res.write.bind(res) as (chunk: Buffer) => boolean;
    res.write = ((chunk: Buffer) => {
      write(chunk.subarray(0, chunk.length >> 1));
      res.destroy();
      return false;
    }) as typeof res.write;
  }
  void store.handle(req, res);
}

async function startStore() {
  const s = createServer(handle);
  await new Promise<void>((resolve) => s.listen(port, "127.0.0.1", resolve));
  port = (s.address() as AddressInfo).port;
  server = s;
}

async function stopStore() {
  const s = server;
  server = undefined;
  if (s)
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "polaris-s3-down-"));
  store = await createObjectStore({
    directory: join(home, "objects"),
    bucket: "polaris-files",
    credentials,
    region: "us-east-1",
    minPartSizeBytes: 1,
  });
  await startStore();
  app = await startTestApp(
    {
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_FORCE_PATH_STYLE: "true",
      S3_BUCKET: "polaris-files",
      // Unverified checksums make completion stream the object back through SHA-256: a GET that can be cut.
      S3_TRUST_CHECKSUMS: "false",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-east-1",
      MULTIPART_THRESHOLD_BYTES: String(2 * PART),
      MULTIPART_PART_SIZE_BYTES: String(PART),
    },
    undefined,
    "embedded",
  );
});
afterAll(async () => {
  await app?.close();
  await stopStore();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(async () => {
  fault = "none";
  if (!server) await startStore();
});

let seed = 900;
const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });

/** Presigns and PUTs every byte (one PUT or each part), stopping short of the callback. */
async function stored(token: string, content: Buffer) {
  const presign = await post(token, "/file/v1/upload/presign", { hash: sha256(content), size: content.length, name: `f-${seed}.bin` });
  expect(presign.status, JSON.stringify(presign.body)).toBe(200);
  const plan = presign.body.data;
  if (plan.mode === "single") {
    expect((await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content })).status).toBe(200);
  } else {
    for (const part of plan.parts) {
      const put = await fetch(part.url, { method: "PUT", body: content.subarray((part.partNumber - 1) * PART, part.partNumber * PART) });
      expect(put.status).toBe(200);
    }
  }
  return plan.uploadKey as string;
}

function expectUnavailable(res: { status: number; body: any }, reason: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(502);
  expect(res.body.code).toBe(300020);
  expect(res.body.msg).toMatch(/^storage service unavailable: /);
  expect(res.body.msg).toMatch(reason);
}

/** The callback refused, nothing was written, the session still holds its reservation; with the store back, a retry completes it. */
async function retryCompletes(token: string, uploadKey: string, size: number) {
  expect(await listNames(app, token)).toEqual([]);
  expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: size });
  fault = "none";
  if (!server) await startStore();
  const again = await post(token, "/file/v1/upload/callback", { uploadKey });
  expect(again.status, JSON.stringify(again.body)).toBe(200);
  expect(await listNames(app, token)).toEqual([again.body.data.file.name]);
  expect(await quota(app, token)).toMatchObject({ usedSize: size, reservedSize: 0 });
}

describe("a store that is stopped", () => {
  it("refuses a multipart presign with 502 300020 and releases the reservation at once", async () => {
    const { token } = await app.signUp();
    await stopStore();
    const content = bytes(3 * PART, seed++);
    const res = await post(token, "/file/v1/upload/presign", { hash: sha256(content), size: content.length, name: "big.bin" });
    expectUnavailable(res, /cannot reach the object store|closed the connection/);
    expect(res.body.msg).toMatch(/CreateMultipartUpload/);
    expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
    expect(await listNames(app, token)).toEqual([]);
  });

  it("refuses a callback after the bytes were stored, then completes it when the store is back", async () => {
    const { token } = await app.signUp();
    const content = bytes(50_000, seed++);
    const uploadKey = await stored(token, content);
    await stopStore();
    expectUnavailable(await post(token, "/file/v1/upload/callback", { uploadKey }), /cannot reach the object store|closed the connection/);
    await retryCompletes(token, uploadKey, content.length);
  });

  it("refuses resuming a multipart upload and a proof of possession", async () => {
    const { token } = await app.signUp();
    const content = bytes(3 * PART, seed++);
    const uploadKey = await stored(token, content);
    expect((await post(token, "/file/v1/upload/callback", { uploadKey })).status).toBe(200);
    const other = await app.signUp();
    const ask = await post(other.token, "/file/v1/upload/instant", { hash: sha256(content), size: content.length, name: "again.bin" });
    expect(ask.body.data.challenge).toBeDefined();
    const { offset, length, nonce } = ask.body.data.challenge;
    const proof = sha256(Buffer.concat([Buffer.from(nonce, "utf8"), content.subarray(offset, offset + length)]));
    const pending = await post(token, "/file/v1/upload/presign", { hash: sha256(bytes(3 * PART, seed)), size: 3 * PART, name: "next.bin" });
    await stopStore();
    expectUnavailable(await post(token, "/file/v1/upload/parts", { uploadKey: pending.body.data.uploadKey }), /ListParts/);
    expectUnavailable(
      await post(other.token, "/file/v1/upload/instant", { hash: sha256(content), size: content.length, name: "again.bin", proof }),
      /GetObject/,
    );
    expect(await listNames(app, other.token)).toEqual([]);
    expect(await quota(app, other.token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
  });
});

describe("a store that answers but cannot serve", () => {
  it("throttling (503 SlowDown) on every request: the callback is 502 naming it", async () => {
    const { token } = await app.signUp();
    const content = bytes(50_000, seed++);
    const uploadKey = await stored(token, content);
    fault = "throttle";
    expectUnavailable(await post(token, "/file/v1/upload/callback", { uploadKey }), /throttling requests \(SlowDown\)/);
    await retryCompletes(token, uploadKey, content.length);
  });

  it("a connection cut in the middle of reading the object back: 502, and the retry completes", async () => {
    const { token } = await app.signUp();
    const content = bytes(50_000, seed++);
    const uploadKey = await stored(token, content);
    fault = "cut-downloads";
    expectUnavailable(await post(token, "/file/v1/upload/callback", { uploadKey }), /closed the connection.*GetObject/);
    await retryCompletes(token, uploadKey, content.length);
  });

  it("a part it had just listed missing at completion (NoSuchKey): 502, and the retry completes", async () => {
    const { token } = await app.signUp();
    const content = bytes(3 * PART - 7, seed++);
    const uploadKey = await stored(token, content);
    fault = "lose-parts";
    expectUnavailable(await post(token, "/file/v1/upload/callback", { uploadKey }), /lost a part it had listed \(NoSuchKey\)/);
    await retryCompletes(token, uploadKey, content.length);
  });
});
