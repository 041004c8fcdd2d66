import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPAT_TAG, routeTable, type RouteDef } from "@polaris/contract";
import { buildOpenApiDocument } from "@polaris/contract/openapi";
import { bytes, nextMobile, sha256, startTestApp, type TestApp } from "./support";
import { mismatches, polarisIoRoutes, type PolarisIoRoute, type Shape } from "./support/polaris-io-api";

/**
 * Polaris-IO's own routes and shapes (issue 21), checked against the table transcribed from its `.api`
 * files (support/polaris-io-api.ts), through HTTP and with the compatibility routes only.
 */

const routes = Object.values(routeTable) as RouteDef[];
const served = (name: PolarisIoRoute) => {
  const { method, path } = polarisIoRoutes[name];
  return routes.find((r) => r.method === method && r.path === path);
};

/** A value of each request field's type, as a Polaris-IO client would send it. */
const samples: Record<string, unknown> = {
  hash: "ab".repeat(32),
  mobile: "13800000000",
  password: "secret-1",
  name: "a.txt",
  ext: "txt",
  mimeType: "text/plain",
  code: "ABCD",
  orderBy: "name",
  order: "asc",
  sortBy: "name",
  keyword: "a",
  expiredType: 7,
  size: 5,
};
function sample(field: string, shape: Shape): unknown {
  if (field in samples) return samples[field];
  if (shape === "int" || shape === "int?") return /Id$/.test(field) ? 0 : 1;
  if (shape === "bool" || shape === "bool?") return true;
  if (shape === "string[]" || shape === "string[]?") return [randomUUID()];
  return randomUUID();
}

describe("Polaris-IO compatibility", () => {
  it("serves each of the original's 28 routes at its method and path, with its auth, accepting its request fields and types", () => {
    expect(Object.keys(polarisIoRoutes)).toHaveLength(28);
    const problems: string[] = [];
    for (const [name, original] of Object.entries(polarisIoRoutes)) {
      const route = served(name as PolarisIoRoute);
      if (!route) {
        problems.push(`${name}: ${original.method} ${original.path} is not in the route table`);
        continue;
      }
      if ((route.auth === "jwt") !== original.jwt) problems.push(`${name}: auth ${route.auth}`);
      const request = Object.fromEntries(Object.entries(original.request).map(([field, shape]) => [field, sample(field, shape)]));
      // A GET's fields arrive as query-string text (an array joined with commas, as API Gateway joins repeats).
      const sent =
        original.method === "GET"
          ? Object.fromEntries(Object.entries(request).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]))
          : request;
      const schema = original.method === "GET" ? route.query : route.body;
      const parsed = schema ? schema.safeParse(sent) : { success: Object.keys(sent).length === 0, error: "no schema" };
      if (!parsed.success) problems.push(`${name}: refuses ${JSON.stringify(sent)}: ${JSON.stringify(parsed.error)}`);
      else if (schema && "shape" in schema) {
        const unknown = Object.keys(request).filter((field) => !(field in (schema.shape as object)));
        if (unknown.length) problems.push(`${name}: ignores ${unknown.join(", ")}`);
      }
    }
    // The original's `ext` is accepted everywhere and used by none but presign (it asks for a PUT without a checksum).
    expect(problems.filter((p) => !/ignores ext$/.test(p))).toEqual([]);

    // The 18 paths Polaris does not have are compatibility routes: their own tag, business errors as 400.
    const compat = routes.filter((r) => r.tag === COMPAT_TAG);
    expect(compat).toHaveLength(18);
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>> };
    for (const route of compat) {
      expect(route.errorStatus).toBe(400);
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      expect(op.tags).toEqual([COMPAT_TAG]);
      expect(Object.keys(op.responses).filter((s) => /^4/.test(s) && s !== "401" && s !== "400")).toEqual([]);
    }
  });

  let app: TestApp;
  beforeAll(async () => {
    // A small multipart threshold: Polaris's own clients get parts above it, the original's requests one PUT.
    app = await startTestApp({ MULTIPART_THRESHOLD_BYTES: "1024" });
  });
  afterAll(() => app?.close());

  /** One original route, as a Polaris-IO client calls it (a bare token, no "Bearer"); the answer must match the table. */
  async function call(name: PolarisIoRoute, token: string | undefined, input: Record<string, unknown> = {}) {
    const { method, path, data } = polarisIoRoutes[name];
    const headers = token ? { authorization: token } : undefined;
    const res = await app.call(method, path, method === "GET" ? { query: input, headers } : { body: input, headers });
    expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body).toMatchObject({ code: 200, msg: "OK" });
    expect(mismatches(data, res.body.data), name).toEqual([]);
    return res.body.data;
  }
  /** A business error as the original answers it: HTTP 400 with {code, msg}. */
  async function refused(name: PolarisIoRoute, token: string | undefined, input: Record<string, unknown>) {
    const { method, path } = polarisIoRoutes[name];
    const headers = token ? { authorization: token } : undefined;
    const res = await app.call(method, path, method === "GET" ? { query: input, headers } : { body: input, headers });
    expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(Object.keys(res.body).sort()).toEqual(["code", "msg"]);
    return res.body.code as number;
  }
  const settle = async () => {
    await app.background.idle();
    await app.deps.searchIndex?.refresh();
  };

  it("walks the original flow through the original routes only: register, upload, list, share, save, search", async () => {
    // Register and log in with the original's fields; from here on the token goes bare.
    const mobile = nextMobile();
    await call("register", undefined, { mobile, password: "correct-horse", name: "Alice" });
    const { accessToken: alice } = await call("login", undefined, { mobile, password: "correct-horse" });
    expect((await call("userInfo", alice)).user).toMatchObject({ mobile, name: "Alice" });
    expect((await call("userQuota", alice)).quota.usedSize).toBe(0);

    // A folder under the root (0), found by its numeric id.
    const { identity: docs } = await call("folderCreate", alice, { name: "docs", parentId: 0 });
    const root = await call("fileList", alice, { parentId: 0 });
    const docsId = root.list.find((i: { identity: string }) => i.identity === docs).id as number;

    // Upload as the original's client does: check (new content: not there), presign, PUT with just
    // the content type the presign named, complete.
    const content = Buffer.from("hello from a Polaris-IO client\n");
    const file = { hash: sha256(content), size: content.length, name: "hello.txt", ext: "txt" };
    expect(await call("uploadCheck", alice, file)).toEqual({ exists: false });
    const plan = await call("uploadPresign", alice, { ...file, mimeType: "text/plain", parentId: docsId });
    const put = await fetch(plan.uploadUrl, { method: "PUT", headers: { "content-type": "text/plain" }, body: content });
    expect(put.status, await put.text()).toBe(200);
    const { identity: hello } = await call("uploadComplete", alice, {
      uploadKey: plan.uploadKey,
      ...file,
      mimeType: "text/plain",
      parentId: docsId,
    });

    const listed = await call("fileList", alice, { parentId: docsId, page: 1, pageSize: 20, orderBy: "name", order: "asc" });
    expect(listed).toMatchObject({
      total: 1,
      list: [{ identity: hello, name: "hello.txt", ext: "txt", size: content.length, parentId: docsId }],
    });
    const detail = await call("fileDetail", alice, { identity: hello });
    expect(detail.path.map((p: { identity: string; parentId: number }) => [p.identity, p.parentId])).toEqual([
      [docs, 0],
      [hello, docsId],
    ]);
    const { url } = await call("fileDownload", alice, { identity: hello });
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(content);

    // Known content is never linked on its hash: exists:false until the caller proves it holds the bytes.
    const instant = { ...file, name: "again.txt" };
    expect(await call("uploadCheck", alice, instant)).toEqual({ exists: false });
    const proofFor = async () => {
      const { exists, challenge } = await call("uploadCheck", alice, { ...instant, proof: "" });
      expect(exists).toBe(false);
      const range = content.subarray(challenge.offset, challenge.offset + challenge.length);
      return createHash("sha256").update(challenge.nonce, "utf8").update(range).digest("hex");
    };
    await proofFor();
    expect(await refused("uploadCheck", alice, { ...instant, proof: "0".repeat(64) })).toBe(300026);
    const linked = await call("uploadCheck", alice, { ...instant, proof: await proofFor() });
    expect(linked).toMatchObject({ exists: true, identity: expect.any(String) });
    const notes = linked.identity as string;

    // Tree operations with numeric targets; a clash is the original's 400 with Polaris's code.
    await call("fileRename", alice, { identity: notes, name: "notes.txt" });
    await call("fileCopy", alice, { identities: [notes], targetId: docsId });
    expect(await refused("fileMove", alice, { identities: [notes], targetId: docsId })).toBe(300013);
    const copy = (await call("fileList", alice, { parentId: docsId })).list.find((i: { name: string }) => i.name === "notes.txt").identity;
    await call("fileDelete", alice, { identities: [copy] });
    const trash = await call("trashList", alice, { page: 1, pageSize: 20 });
    expect(trash.list.map((t: { identity: string }) => t.identity)).toEqual([copy]);
    await call("trashRestore", alice, { identities: [copy] });
    await call("fileDelete", alice, { identities: [copy] });
    await call("trashDelete", alice, { identities: [copy] });

    // Share the folder with a code; the owner's list has the original's fields.
    const share = await call("shareCreate", alice, { repositoryIdentity: docs, expiredType: 7, hasCode: true });
    expect(share.code).toMatch(/^[A-Z2-9]{4}$/);
    // The original left the code as it was for "" (and "-1").
    await call("shareUpdate", alice, { identity: share.identity, expiredType: 30, code: "" });
    const shares = await call("shareList", alice, { page: 1, pageSize: 20 });
    expect(shares.list).toMatchObject([
      { identity: share.identity, repositoryIdentity: docs, fileName: "docs", fileExt: "", isDir: true, code: share.code, status: 0 },
    ]);

    // Someone else opens it, downloads inside it, and saves it into their root.
    const { accessToken: bob } = await call("register", undefined, { mobile: nextMobile(), password: "correct-horse" });
    const access = { identity: share.identity, code: share.code };
    expect(await refused("shareDetail", undefined, { ...access, code: "ZZZZ" })).toBe(400003);
    const seen = await call("shareDetail", undefined, access);
    expect(seen).toMatchObject({
      file: { identity: docs, isDir: true },
      sharerName: "Alice",
      children: [{ identity: hello, name: "hello.txt" }],
    });
    const shared = await call("shareDownload", undefined, { ...access, fileIdentity: hello });
    expect(Buffer.from(await (await fetch(shared.url)).arrayBuffer())).toEqual(content);
    // Only inside the share: Alice's notes in her root answer as an item nobody has.
    const missing = await refused("shareDownload", undefined, { ...access, fileIdentity: randomUUID() });
    expect(missing).toBe(300001);
    expect(await refused("shareDownload", undefined, { ...access, fileIdentity: notes })).toBe(missing);
    // Alice's numeric folder id is as missing to Bob as an id nobody has.
    const saveInto = (targetFolderId: number) => refused("shareSave", bob, { ...access, fileIdentities: [], targetFolderId });
    expect(await saveInto(docsId)).toBe(await saveInto(Number.MAX_SAFE_INTEGER));
    expect(await call("shareSave", bob, { ...access, fileIdentities: [], targetFolderId: 0 })).toEqual({ savedCount: 2 }); // the folder and its file
    const bobsRoot = await call("fileList", bob, { parentId: 0 });
    expect(bobsRoot.list).toMatchObject([{ name: "docs", isDir: true, parentId: 0 }]);
    const bobsDocs = bobsRoot.list[0].id as number;
    const [bobsHello] = (await call("fileList", bob, { parentId: bobsDocs })).list;

    // Search: the original's item (id = the identity, fileId = the numeric id, numeric parentId) and stats.
    await settle();
    const found = await call("searchFiles", bob, { keyword: "hello", ext: "txt", isDir: false, page: 1, pageSize: 20, sortBy: "name" });
    expect(found).toMatchObject({
      total: 1,
      list: [{ id: bobsHello.identity, fileId: bobsHello.id, name: "hello.txt", parentId: bobsDocs }],
    });
    expect(await call("searchStats", alice)).toMatchObject({ totalFiles: 2, totalFolders: 1 });

    await call("fileDelete", alice, { identities: [notes] });
    await call("trashClear", alice, {});
    expect((await call("trashList", alice)).total).toBe(0);
    expect(await call("shareCancel", alice, { identities: [share.identity] })).toEqual({ cancelledCount: 1 });
    expect(await refused("shareDetail", undefined, access)).toBe(400004);
    // Without a token the original's gateway answered 401.
    expect((await app.call("GET", "/file/v1/list")).status).toBe(401);
  });

  it("completes only what the stored bytes prove: bytes other than presign's declaration fail the upload", async () => {
    const { token } = await app.signUp();
    const declared = Buffer.from("declared content");
    const file = { hash: sha256(declared), size: declared.length, name: "lie.txt", ext: "txt", mimeType: "text/plain", parentId: 0 };
    const plan = await call("uploadPresign", token, file);
    const put = await fetch(plan.uploadUrl, {
      method: "PUT",
      headers: { "content-type": "text/plain" },
      body: Buffer.from("DECLARED CONTENT"),
    });
    expect(put.status).toBe(200);
    expect(await refused("uploadComplete", token, { uploadKey: plan.uploadKey, ...file })).toBe(300023);
    expect((await call("fileList", token, {})).total).toBe(0);
    expect((await call("userQuota", token)).quota.usedSize).toBe(0);

    // Above the multipart threshold a Polaris client gets parts; the original's request gets one PUT,
    // which signs no content type when none was named.
    const big = { hash: sha256(bytes(2048, 7)), size: 2048, name: "big.bin" };
    const own = await app.call("POST", "/file/v1/upload/presign", { token, body: big });
    expect(own.body.data).toMatchObject({ mode: "multipart", parts: [{ partNumber: 1 }] });
    const single = await call("uploadPresign", token, { ...big, ext: "bin", mimeType: "", parentId: 0 });
    expect((await fetch(single.uploadUrl, { method: "PUT", body: bytes(2048, 7) })).status).toBe(200);
    const { identity } = await call("uploadComplete", token, {
      uploadKey: single.uploadKey,
      ...big,
      ext: "bin",
      mimeType: "",
      parentId: 0,
    });
    expect((await call("fileDetail", token, { identity })).file).toMatchObject({ name: "big.bin", size: 2048, parentId: 0 });
  });
});
