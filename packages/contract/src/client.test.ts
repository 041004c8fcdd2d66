import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ApiError, createClient, endpointsOf, type ClientOptions } from "./client";
import { routeTable } from "./routes";

const endpoints = endpointsOf(routeTable);

/** A client over a recording fetch that answers `reply`. */
function fake(reply: () => Response, options: Partial<ClientOptions> = {}) {
  const sent: { url: URL; init: RequestInit }[] = [];
  const call = createClient({
    endpoints,
    baseUrl: "https://api.example",
    token: () => "t0k3n",
    fetch: async (url, init) => (sent.push({ url, init }), reply()),
    ...options,
  });
  return { call, sent };
}
const envelope =
  (data: unknown, code = 200, status = 200) =>
  () =>
    Response.json({ code, msg: code === 200 ? "ok" : "nope", data }, { status });

describe("typed client", () => {
  it("takes method, path and auth from the route table and returns the envelope's data", async () => {
    const { call, sent } = fake(envelope({ movedCount: 2 }));
    const moved: { movedCount: number } = await call("file.move", { identities: ["a", "b"], targetId: "0" });
    expect(moved).toEqual({ movedCount: 2 });
    expect(sent[0].url.href).toBe(`https://api.example${routeTable["file.move"].path}`);
    expect(sent[0].init.method).toBe("POST");
    expect(sent[0].init.headers).toMatchObject({ authorization: "Bearer t0k3n", "content-type": "application/json" });
    expect(JSON.parse(sent[0].init.body as string)).toEqual({ identities: ["a", "b"], targetId: "0" });
  });

  it("puts a GET's input in the query, leaving out empty values and repeating arrays", async () => {
    const { call, sent } = fake(envelope({ total: 0, list: [] }));
    await call("search.files", { keyword: "report", ext: "pdf", isDir: undefined, page: 2, sortDesc: "true" });
    const url = sent[0].url;
    expect(url.pathname).toBe(routeTable["search.files"].path);
    expect([...url.searchParams]).toEqual([
      ["keyword", "report"],
      ["ext", "pdf"],
      ["page", "2"],
      ["sortDesc", "true"],
    ]);
    expect(sent[0].init.body).toBeUndefined();
  });

  it("asks for the token on jwt routes only: public routes go anonymously", async () => {
    let asked = 0;
    const { call, sent } = fake(envelope({ accessToken: "x", accessExpire: 1, refreshAfter: 1 }), { token: () => (asked++, "t0k3n") });
    await call("user.login", { mobile: "13800000000", password: "secret" });
    await call("share.validate", { identity: "00000000-0000-4000-8000-000000000000" });
    expect(asked).toBe(0);
    for (const { init } of sent) expect(init.headers).not.toHaveProperty("authorization");
    await call("user.info");
    expect(asked).toBe(1);
  });

  it("throws an ApiError with the business code and status, after onError has seen it", async () => {
    const seen: string[] = [];
    const { call } = fake(envelope(undefined, 300001, 404), { onError: (e, endpoint) => void seen.push(`${e.code} ${endpoint.path}`) });
    const error = await call("file.detail", { identity: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 300001, status: 404, message: "nope" });
    expect(seen).toEqual([`300001 ${routeTable["file.detail"].path}`]);
  });

  it("maps an answer that is not an envelope to 100004 (404) or 100001", async () => {
    const notFound = await fake(() => new Response("<html>", { status: 404 }))
      .call("user.quota")
      .catch((e) => e);
    expect(notFound).toMatchObject({ code: 100004, status: 404 });
    const badGateway = await fake(() => new Response("", { status: 502 }))
      .call("user.quota")
      .catch((e) => e);
    expect(badGateway).toMatchObject({ code: 100001, status: 502, message: `unexpected HTTP 502 from ${routeTable["user.quota"].path}` });
  });

  it("lets onError throw its own error in place of the ApiError", async () => {
    class SignedOut extends Error {}
    const { call } = fake(envelope(undefined, 100003, 401), {
      onError: (e) => {
        if (e.code === 100003) throw new SignedOut();
      },
    });
    await expect(call("user.info")).rejects.toBeInstanceOf(SignedOut);
  });

  it("is typed by the route's schemas", () => {
    const { call } = fake(envelope({}));
    // Only compiled (npm run typecheck), never sent: each line is a mistake the type checker refuses.
    const mistakes = () => {
      // @ts-expect-error no such route
      void call("file.nope");
      // @ts-expect-error the body needs identities
      void call("file.delete", { targetId: "0" });
      // @ts-expect-error expiredType is 0, 1, 7 or 30
      void call("share.create", { fileIdentity: "x", expiredType: 2, hasCode: true });
      // @ts-expect-error the answer of file.copy has copiedCount, not movedCount
      void call("file.copy", { identities: ["x"], targetId: "0" }).then((r) => r.movedCount);
    };
    expect(mistakes).toBeTypeOf("function");
  });
});

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");
const clientSources = ["packages/cli", "packages/web"];

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|tsx|js|mjs|html)$/.test(entry.name)) yield path;
  }
}

describe("clients name no API path", () => {
  // Every path of an area's API and its versioned prefix ("/file/v1"), which a path pieced together would start with.
  // The one-word operations paths ("/docs", "/healthz") are left to the type checker: "/docs" is also a folder in a drive.
  const paths = [
    ...new Set(
      Object.values(routeTable)
        .filter(({ path }) => path.split("/").length > 2)
        .flatMap(({ path }) => [path, path.split("/").slice(0, 3).join("/")]),
    ),
  ];

  it("the CLI and the console reach every route through the typed client, by name", () => {
    expect(paths).toContain("/file/v1");
    const found: string[] = [];
    for (const dir of clientSources) {
      for (const file of sourceFiles(join(repoRoot, dir))) {
        const text = readFileSync(file, "utf8");
        for (const path of paths)
          if (new RegExp(`${path.replace(/[.]/g, "\\.")}(?![\\w.-])`).test(text)) found.push(`${relative(repoRoot, file)}: ${path}`);
      }
    }
    expect(found).toEqual([]);
  });

  it("the console loads the client only, which imports nothing but types: zod stays out of its bundle", () => {
    const valueImports = (text: string) => [...text.matchAll(/^import (?!type )[^;]*? from "([^"]+)"/gm)].map((m) => m[1]);
    expect(valueImports(readFileSync(fileURLToPath(new URL("./client.ts", import.meta.url)), "utf8"))).toEqual([]);
    const found: string[] = [];
    for (const file of sourceFiles(join(repoRoot, "packages/web/app"))) {
      for (const from of valueImports(readFileSync(file, "utf8")))
        if (from.startsWith("@polaris/contract") && from !== "@polaris/contract/client") found.push(`${relative(repoRoot, file)}: ${from}`);
    }
    expect(found).toEqual([]);
  });
});
