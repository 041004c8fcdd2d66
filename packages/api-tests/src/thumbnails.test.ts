import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, sha256, startTestApp, upload, uploadFile, type TestApp } from "./support";

// Thumbnails made by the S3 notification of new content (in-process on embedded, SQS on parity), the
// thumbnail URLs of list, search and share items, and previews. On every profile.
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const png = (width: number, height: number, seed: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: 90, b: 200 } } })
    .png()
    .toBuffer();
const thumbnailRows = (content: Buffer) => app.deps.db.selectFrom("thumbnails").selectAll().where("sha256", "=", sha256(content)).execute();
const listed = async (token: string, parentId?: string) =>
  (await app.call("GET", "/file/v1/file/list", { token, query: { parentId, pageSize: 100 } })).body.data.list as {
    name: string;
    identity: string;
    thumbnailUrl?: string;
  }[];
const byName = <T extends { name: string }>(items: T[], name: string) => items.find((i) => i.name === name)!;

describe("thumbnails", () => {
  it("are made once per content from the upload's event, served as WebP, listed, searched, shared, and purged with the content", async () => {
    const { token } = await app.signUp();
    const other = await app.signUp();
    const folder = await createFolder(app, token, "photos");
    const picture = await png(640, 400, Number.parseInt(String(process.pid).slice(-2), 10));
    await uploadFile(app, token, picture, { name: "sunset.png", parentId: folder, mimeType: "image/png" });
    await uploadFile(app, token, bytes(300, 7), { name: "notes.txt", parentId: folder, mimeType: "text/plain" });
    await app.background.idle();

    const items = await listed(token, folder);
    expect(byName(items, "notes.txt").thumbnailUrl).toBeUndefined();
    const url = byName(items, "sunset.png").thumbnailUrl!;
    expect(url).toMatch(/^https?:\/\//);
    // The same URL within its window: browsers cache the picture across lists.
    expect(byName(await listed(token, folder), "sunset.png").thumbnailUrl).toBe(url);
    const served = await fetch(url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: "webp", width: 256, height: 160 });

    // The same content uploaded by someone else is deduplicated: no new object, no new event, one thumbnail.
    await uploadFile(app, other.token, picture, { name: "copy.png", mimeType: "image/png" });
    await app.background.idle();
    expect(await thumbnailRows(picture)).toHaveLength(1);
    expect(byName(await listed(other.token), "copy.png").thumbnailUrl).toMatch(/^https?:\/\//);

    await app.deps.searchIndex?.refresh(); // OpenSearch (parity) shows its writes after a refresh
    const search = await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "sunset" } });
    if (search.status === 200) expect(search.body.data.list[0].thumbnailUrl).toMatch(/^https?:\/\//);
    const share = await app.call("POST", "/share/v1/share/create", {
      token,
      body: { fileIdentity: folder, expiredType: 0, hasCode: false },
    });
    const detail = await app.call("GET", "/share/v1/share/detail", { query: { identity: share.body.data.identity } });
    expect(byName(detail.body.data.children as { name: string; thumbnailUrl?: string }[], "sunset.png").thumbnailUrl).toMatch(
      /^https?:\/\//,
    );

    // The last holder's purge deletes the thumbnail with the content.
    const copy = byName(await listed(other.token), "copy.png");
    await app.call("POST", "/file/v1/file/delete", { token: other.token, body: { identities: [copy.identity] } });
    await app.call("POST", "/file/v1/trash/delete", { token: other.token, body: { identities: [copy.identity] } });
    expect(await thumbnailRows(picture)).toHaveLength(1);
    await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [folder] } });
    await app.call("POST", "/file/v1/trash/clear", { token, body: {} });
    expect(await thumbnailRows(picture)).toHaveLength(0);
    expect(await app.deps.storage.head(`thumbnails/${sha256(picture)}.webp`)).toBeNull();
    // S3 without ListBucket for the signer, and moto, answer 403 for a missing key; the embedded store 404.
    expect([403, 404]).toContain((await fetch(url)).status);
  });

  it("are not made of a corrupt image, whose message is acknowledged at once (no retry, nothing for the DLQ)", async () => {
    const { token } = await app.signUp();
    // A PNG signature, then noise: sniffed as an image, undecodable.
    const corrupt = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), bytes(2000, 11)]);
    const { callback } = await upload(app, token, corrupt, { name: "broken.png", mimeType: "image/png" });
    expect(callback?.status).toBe(200);
    await app.background.idle();
    expect(await thumbnailRows(corrupt)).toHaveLength(0);
    expect(byName(await listed(token), "broken.png").thumbnailUrl).toBeUndefined();
    // The notification the queue delivered, once more: the handler acknowledges it (no batch item failure).
    const blob = await app.deps.db.selectFrom("blobs").select("object_key").where("sha256", "=", sha256(corrupt)).executeTakeFirstOrThrow();
    const { handler } = await import("../../../functions/events/thumbnail");
    const body = JSON.stringify({ Records: [{ eventName: "ObjectCreated:Copy", s3: { object: { key: blob.object_key } } }] });
    expect(await handler({ Records: [{ messageId: "m1", body }] } as never)).toEqual({ batchItemFailures: [] });
    expect(await thumbnailRows(corrupt)).toHaveLength(0);
  });
});

describe("previews", () => {
  it("answer inline only for types that run no script, with ranges; HTML is text, unknown types have none; shares preview", async () => {
    const { token } = await app.signUp();
    const picture = await png(40, 30, 3);
    const image = await uploadFile(app, token, picture, { name: "tiny.png", mimeType: "image/png" });
    const page = await uploadFile(app, token, Buffer.from("<script>alert(1)</script>"), { name: "page.html", mimeType: "text/html" });
    const binary = await uploadFile(app, token, bytes(100, 5), { name: "tool.exe", mimeType: "application/octet-stream" });

    const shown = await app.call("GET", "/file/v1/file/preview", { token, query: { identity: image } });
    expect(shown.body.data).toMatchObject({ kind: "image", contentType: "image/png", size: picture.length });
    const ranged = await fetch(shown.body.data.url, { headers: { range: "bytes=0-7" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-disposition")).toMatch(/^inline;/);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(picture.subarray(0, 8));

    const html = await app.call("GET", "/file/v1/file/preview", { token, query: { identity: page } });
    expect(html.body.data).toMatchObject({ kind: "text", contentType: "text/plain; charset=utf-8" });
    expect((await fetch(html.body.data.url)).headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await app.call("GET", "/file/v1/file/preview", { token, query: { identity: binary } })).toMatchObject({
      status: 415,
      body: { code: 300050 },
    });
    // Someone else's file is a missing one.
    const stranger = await app.signUp();
    expect((await app.call("GET", "/file/v1/file/preview", { token: stranger.token, query: { identity: image } })).body.code).toBe(300001);

    const share = await app.call("POST", "/share/v1/share/create", {
      token,
      body: { fileIdentity: image, expiredType: 0, hasCode: false, previewOnly: true },
    });
    expect(share.status, JSON.stringify(share.body)).toBe(200);
    const visitor = await app.call("GET", "/share/v1/share/preview", { query: { shareIdentity: share.body.data.identity } });
    expect(visitor.body.data).toMatchObject({ kind: "image", contentType: "image/png" });
    expect((await fetch(visitor.body.data.url)).status).toBe(200);
  });
});
