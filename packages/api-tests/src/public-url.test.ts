import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { bytes, sha256, startTestApp, uploadFile, type TestApp } from "./support";

// `HOST=0.0.0.0 PUBLIC_URL=http://<lan-address>:8888 npm start`, on loopback: the browser reaches the
// server by another name than the server reaches itself, and presigned URLs must carry that name
// (their signature covers the Host), while the server's own store client keeps to loopback.
let app: TestApp;
let publicUrl: string;
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://localhost:${port}`;
  app = await startTestApp({ PORT: String(port), PUBLIC_URL: publicUrl }, undefined, "embedded");
});
afterAll(() => app?.close());

it("signs upload and download URLs for PUBLIC_URL, and they work there", async () => {
  const { token } = await app.signUp();
  const presign = await app.call("POST", "/file/v1/upload/presign", {
    token,
    body: { hash: sha256(bytes(10, 1)), size: 10, name: "probe.bin" },
  });
  expect(presign.body.data.uploadUrl.startsWith(`${publicUrl}/s3/`)).toBe(true);
  const content = bytes(2000, 41);
  const identity = await uploadFile(app, token, content);
  const link = (await app.call("GET", "/file/v1/file/download", { token, query: { identity } })).body.data.url as string;
  expect(link.startsWith(`${publicUrl}/s3/`)).toBe(true);
  expect(sha256(Buffer.from(await (await fetch(link)).arrayBuffer()))).toBe(sha256(content));
  const share = await app.call("POST", "/share/v1/share/create", {
    token,
    body: { fileIdentity: identity, expiredType: 1, hasCode: false },
  });
  expect(share.body.data.url).toBe(`${publicUrl}/s/${share.body.data.identity}`);
});
