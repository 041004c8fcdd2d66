import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support";

let app: TestApp;
beforeAll(async () => {
  // Nothing listens on the discard port: every OpenSearch request fails to connect.
  app = await startTestApp({ OPENSEARCH_URL: "http://127.0.0.1:9", OPENSEARCH_INDEX: "polaris-files-down" });
});
afterAll(() => app?.close());

it("answers search with 503 500001 while OpenSearch is down, and file operations keep working", async () => {
  const { token } = await app.signUp();
  const created = await app.call("POST", "/file/v1/folder/create", { token, body: { name: "still works" } });
  expect(created.status).toBe(200);
  expect(await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "still" } })).toMatchObject({
    status: 503,
    body: { code: 500001 },
  });
  expect(await app.call("GET", "/search/v1/search/stats", { token })).toMatchObject({ status: 503, body: { code: 500001 } });
  const list = await app.call("GET", "/file/v1/file/list", { token });
  expect(list.body.data.list.map((f: { name: string }) => f.name)).toEqual(["still works"]);
});
