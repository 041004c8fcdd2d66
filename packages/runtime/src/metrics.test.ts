import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createHash } from "node:crypto";
import { bytes, startTestApp, uploadFile, type TestApp } from "@polaris/api-tests/support";

// The EMF lines of the HTTP stack and the upload consumer, on the embedded profile (stdout of this process).
let app: TestApp;
beforeAll(async () => {
  // One line per request, as a Lambda function writes them.
  app = await startTestApp({ LOG_LEVEL: "ERROR", METRICS: "true", METRICS_FLUSH_MS: "0" });
});
afterAll(() => app?.close());

/** EMF lines written to stdout while `action` runs (and, with `after`, while that runs next). */
async function emf(action: () => Promise<unknown>, after?: () => Promise<unknown>) {
  const lines: Record<string, any>[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n")) if (line.includes('"_aws"')) lines.push(JSON.parse(line));
    return true;
  });
  try {
    await action();
    await app.background.idle();
    await after?.();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

it("writes per-route requests, errors and latency as CloudWatch EMF", async () => {
  const lines = await emf(() => app.call("GET", "/usercenter/v1/user/info"));
  const line = lines.find((l) => l.route === "GET /usercenter/v1/user/info");
  expect(line).toMatchObject({ service: "polaris", Requests: 1, Errors: 0 });
  expect(line!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "Polaris", Dimensions: [["service", "route"]] });
  expect(line!.Latency).toBeGreaterThanOrEqual(0);
});

it("counts instant-upload hits, the instant ratio and uploaded bytes", async () => {
  const { token } = await app.signUp();
  const content = bytes(4096, 77);
  const uploaded = await emf(() => uploadFile(app, token, content, { name: "m.bin" }));
  expect(uploaded.find((l) => l.route === "POST /file/v1/upload/presign")).toMatchObject({ InstantUploadRatio: 0 });
  expect(uploaded.filter((l) => "UploadedBytes" in l).map((l) => l.UploadedBytes)).toEqual([4096]);

  const hash = createHash("sha256").update(content).digest("hex");
  const ask = { hash, size: content.length, name: "again.bin" };
  const linked = await emf(async () => {
    const { challenge } = (await app.call("POST", "/file/v1/upload/instant", { token, body: ask })).body.data;
    const proof = createHash("sha256")
      .update(challenge.nonce, "utf8")
      .update(content.subarray(challenge.offset, challenge.offset + challenge.length))
      .digest("hex");
    await app.call("POST", "/file/v1/upload/instant", { token, body: { ...ask, proof } });
  });
  const hits = linked.filter((l) => l.route === "POST /file/v1/upload/instant");
  expect(hits).toHaveLength(2);
  expect(hits[1]).toMatchObject({ InstantUploadHits: 1, InstantUploadRatio: 1 });
  expect(hits[0]).not.toHaveProperty("InstantUploadHits");
});

it("gathers a route's metrics into one line per window on a long-running server, and writes them on close", async () => {
  const server = await startTestApp({ LOG_LEVEL: "ERROR", METRICS: "true", METRICS_FLUSH_MS: "60000" });
  let closed = false;
  try {
    const lines = await emf(
      async () => {
        for (let i = 0; i < 3; i++) expect((await server.call("GET", "/healthz")).status).toBe(200);
      },
      async () => {
        await server.close();
        closed = true;
      },
    );
    const healthz = lines.filter((l) => l.route === "GET /healthz");
    expect(healthz).toHaveLength(1);
    expect(healthz[0]).toMatchObject({ Requests: [1, 1, 1], Errors: [0, 0, 0] });
    expect(healthz[0].Latency).toHaveLength(3);
  } finally {
    if (!closed) await server.close();
  }
});
