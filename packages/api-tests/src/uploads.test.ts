import { createHash } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, listNames, quota, sha256, startTestApp, upload, uploadFile, type TestApp } from "./support";

let app: TestApp;
const MiB = 1024 * 1024;
beforeAll(async () => {
  app = await startTestApp({
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
    DEFAULT_QUOTA_BYTES: String(40 * MiB),
  });
});
afterAll(() => app?.close());

const blobRow = (hash: string) => app.deps.db.selectFrom("blobs").selectAll().where("sha256", "=", hash).executeTakeFirst();
const objectExists = async (key: string) => Boolean(await app.deps.storage.head(key));
const uploadRow = (uploadKey: string) =>
  app.deps.db.selectFrom("uploads").selectAll().where("upload_key", "=", uploadKey).executeTakeFirstOrThrow();
const multipartId = async (uploadKey: string) => (await uploadRow(uploadKey)).multipart_upload_id!;
const objectKeyOf = async (uploadKey: string) => (await uploadRow(uploadKey)).object_key;
/** SHA-256 of a file's downloaded bytes. */
const download = async (token: string, identity: string) => {
  const dl = await app.call("GET", "/file/v1/file/download", { token, query: { identity } });
  return sha256(Buffer.from(await (await fetch(dl.body.data.url)).arrayBuffer()));
};
/** Polls until `done` holds or a few seconds pass: for a store that may or may not ever show a change. */
async function settled(done: () => Promise<boolean>, rounds = 60) {
  for (let i = 0; i < rounds && !(await done()); i++) await new Promise((r) => setTimeout(r, 50));
}

describe("single PUT uploads", () => {
  it("uploads straight to storage, creates the file and turns the reservation into usage", async () => {
    const { token } = await app.signUp();
    const content = bytes(3000, 1);
    const { presign, callback } = await upload(app, token, content, { name: "报告 2025.txt", mimeType: "text/plain" });
    expect(presign.body.data).toMatchObject({ mode: "single" });
    expect(presign.body.data.headers["x-amz-checksum-sha256"]).toBe(createHash("sha256").update(content).digest("base64"));
    expect(callback!.status).toBe(200);
    expect(callback!.body.data.file).toMatchObject({
      name: "报告 2025.txt",
      ext: "txt",
      size: 3000,
      isDir: false,
      parentId: "0",
      mimeType: "text/plain",
    });
    expect(await quota(app, token)).toMatchObject({ usedSize: 3000, reservedSize: 0 });

    const dl = await app.call("GET", "/file/v1/file/download", { token, query: { identity: callback!.body.data.identity } });
    const got = await fetch(dl.body.data.url);
    expect(Buffer.from(await got.arrayBuffer()).equals(content)).toBe(true);
    expect(got.headers.get("content-disposition")).toContain("filename*=UTF-8''%E6%8A%A5%E5%91%8A%202025.txt");
  });

  it("refuses bytes that do not match the declared hash: 400 300023, no file, no quota used", async () => {
    const { token } = await app.signUp();
    const content = bytes(4096, 2);
    const forged = Buffer.from(content);
    forged[100] ^= 0xff;
    const { presign, refused, callback } = await upload(app, token, content, { sendBytes: forged, name: "forged.bin" });
    // A store that verifies checksums (S3, the embedded one) refuses the PUT; otherwise (moto) the callback refuses the object.
    if (app.deps.config.S3_TRUST_CHECKSUMS) {
      expect(refused).toEqual({ status: 400, code: "BadDigest" });
      await app.call("POST", "/file/v1/upload/abort", { token, body: { uploadKey: presign.body.data.uploadKey } });
    } else expect(callback).toMatchObject({ status: 400, body: { code: 300023 } });
    expect(await listNames(app, token)).toEqual([]);
    expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
    expect(await blobRow(sha256(content))).toBeUndefined();
  });

  it("refuses bytes of the wrong size", async () => {
    const { token } = await app.signUp();
    const content = bytes(5000, 3);
    const { presign, refused, callback } = await upload(app, token, content, { sendBytes: content.subarray(0, 4000) });
    // The length is signed into the URL: S3 and the embedded store refuse another one.
    if (app.deps.config.S3_TRUST_CHECKSUMS) {
      expect(refused).toEqual({ status: 403, code: "SignatureDoesNotMatch" });
      await app.call("POST", "/file/v1/upload/abort", { token, body: { uploadKey: presign.body.data.uploadKey } });
    } else expect(callback).toMatchObject({ status: 400, body: { code: 300023 } });
    expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
  });

  it("treats duplicate and late notifications as no-ops", async () => {
    const { token } = await app.signUp();
    const content = bytes(1234, 4);
    const identity = await uploadFile(app, token, content);
    await app.background.idle();
    const upload = await app.deps.db.selectFrom("uploads").selectAll().where("sha256", "=", sha256(content)).executeTakeFirstOrThrow();
    const { handler } = await import("../../../functions/events/upload-created");
    const record = { eventName: "ObjectCreated:Put", s3: { object: { key: encodeURIComponent(upload.object_key).replace(/%2F/g, "/") } } };
    const event = (body: unknown) => ({ Records: [{ messageId: "m1", body: JSON.stringify(body) }] }) as never;
    expect(await handler(event({ Records: [record, record] }))).toEqual({ batchItemFailures: [] });
    expect(await handler(event({ Service: "Amazon S3", Event: "s3:TestEvent" }))).toEqual({ batchItemFailures: [] });
    const files = await app.deps.db.selectFrom("files").select("identity").where("blob_sha256", "=", sha256(content)).execute();
    expect(files.map((f) => f.identity)).toEqual([identity]);
    expect((await blobRow(sha256(content)))!.ref_count).toBe(1);
    expect(await quota(app, token)).toMatchObject({ usedSize: 1234, reservedSize: 0 });
  });

  it("reports a poisoned message as a batch item failure without blocking the others", async () => {
    const { handler } = await import("../../../functions/events/upload-created");
    const result = await handler({
      Records: [
        { messageId: "bad", body: "{not json" },
        { messageId: "ok", body: "{}" },
      ],
    } as never);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }] });
  });

  it("refuses files above the maximum size with 413 and over quota with 403, reserving nothing", async () => {
    const { token } = await app.signUp();
    const tooBig = await app.call("POST", "/file/v1/upload/presign", {
      token,
      body: { hash: sha256("x"), size: 6 * 1024 ** 3, name: "big.iso" },
    });
    expect(tooBig).toMatchObject({ status: 413, body: { code: 300025 } });
    const over = await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256("x"), size: 41 * MiB, name: "big.iso" } });
    expect(over).toMatchObject({ status: 403, body: { code: 200004 } });
    // The quota is answered before a name clash (the console asks about a clash; a full drive it cannot fix).
    await createFolder(app, token, "taken.iso");
    const overAndTaken = await app.call("POST", "/file/v1/upload/presign", {
      token,
      body: { hash: sha256("x"), size: 41 * MiB, name: "taken.iso", onConflict: "fail" },
    });
    expect(overAndTaken).toMatchObject({ status: 403, body: { code: 200004 } });
    expect(await quota(app, token)).toMatchObject({ reservedSize: 0, usedSize: 0 });
  });

  it("never over-commits the quota under concurrent presigns", async () => {
    const { token } = await app.signUp();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(`c${i}`), size: 4 * MiB, name: `c${i}.bin` } }),
      ),
    );
    const accepted = results.filter((r) => r.status === 200).length;
    expect(accepted).toBe(10);
    expect(results.filter((r) => r.status === 403 && r.body.code === 200004)).toHaveLength(2);
    expect(await quota(app, token)).toMatchObject({ reservedSize: 40 * MiB });
    await Promise.all(
      results
        .filter((r) => r.status === 200)
        .map((r) => app.call("POST", "/file/v1/upload/abort", { token, body: { uploadKey: r.body.data.uploadKey } })),
    );
    expect(await quota(app, token)).toMatchObject({ reservedSize: 0 });
  });

  it("abort releases the reservation and deletes what was stored", async () => {
    const { token } = await app.signUp();
    const content = bytes(2048, 5);
    const presign = await app.call("POST", "/file/v1/upload/presign", {
      token,
      body: { hash: sha256(content), size: content.length, name: "a.bin" },
    });
    await fetch(presign.body.data.uploadUrl, { method: "PUT", headers: presign.body.data.headers, body: content });
    await app.background.idle();
    // The notification may have completed it already; abort only applies to a pending upload.
    const row = await app.deps.db
      .selectFrom("uploads")
      .selectAll()
      .where("upload_key", "=", presign.body.data.uploadKey)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("completed");
    const abortDone = await app.call("POST", "/file/v1/upload/abort", { token, body: { uploadKey: presign.body.data.uploadKey } });
    expect(abortDone).toMatchObject({ status: 404, body: { code: 300024 } });

    const pending = await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256("p"), size: 10, name: "p.bin" } });
    expect((await quota(app, token)).reservedSize).toBe(10);
    expect((await app.call("POST", "/file/v1/upload/abort", { token, body: { uploadKey: pending.body.data.uploadKey } })).status).toBe(200);
    expect((await quota(app, token)).reservedSize).toBe(0);
    const late = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: pending.body.data.uploadKey } });
    expect(late).toMatchObject({ status: 404, body: { code: 300024 } });
  });

  it("expires a forgotten session through the delayed job and releases its reservation", async () => {
    const { token } = await app.signUp();
    const pending = await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256("e"), size: 77, name: "e.bin" } });
    const key = pending.body.data.uploadKey;
    const job = (await app.jobs.get(`upload-expire-${key}`))!;
    expect(job.type).toBe("upload.expire");
    // Time passes: make the session and its job due, then let the runner fire it.
    await app.deps.db
      .updateTable("uploads")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("upload_key", "=", key)
      .execute();
    await app.jobs.makeDue(job.name);
    await app.background.runDueJobs();
    const row = await app.deps.db.selectFrom("uploads").select("status").where("upload_key", "=", key).executeTakeFirstOrThrow();
    expect(row.status).toBe("expired");
    expect((await quota(app, token)).reservedSize).toBe(0);
    expect(await app.jobs.get(job.name)).toBeUndefined();
  });
});

describe("multipart uploads", () => {
  it("uploads in parts, resumes after an interruption and verifies the whole object", async () => {
    const { token } = await app.signUp();
    const content = bytes(12 * MiB + 17, 6);
    const presign = await app.call("POST", "/file/v1/upload/presign", {
      token,
      body: { hash: sha256(content), size: content.length, name: "movie.mp4" },
    });
    const plan = presign.body.data;
    expect(plan).toMatchObject({ mode: "multipart", partSize: 5 * MiB });
    expect(plan.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    const first = await fetch(plan.parts[0].url, { method: "PUT", body: content.subarray(0, plan.partSize) });
    expect(first.ok).toBe(true);

    // The page reloads: ask what is there and get fresh URLs for the rest.
    const resume = await app.call("POST", "/file/v1/upload/parts", { token, body: { uploadKey: plan.uploadKey } });
    expect(resume.body.data.uploaded).toEqual([{ partNumber: 1, etag: first.headers.get("etag"), size: plan.partSize }]);
    expect(resume.body.data.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([2, 3]);
    for (const part of resume.body.data.parts) {
      const put = await fetch(part.url, {
        method: "PUT",
        body: content.subarray((part.partNumber - 1) * plan.partSize, part.partNumber * plan.partSize),
      });
      expect(put.ok).toBe(true);
    }
    const done = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey } });
    expect(done.status).toBe(200);
    expect(done.body.data.file).toMatchObject({ name: "movie.mp4", size: content.length });
    const again = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey } });
    expect(again.body.data.identity).toBe(done.body.data.identity);
    expect(await quota(app, token)).toMatchObject({ usedSize: content.length, reservedSize: 0 });
  });

  it("counts a stored part only at its right size: a short part gets a fresh URL and its re-upload completes the file", async () => {
    const { token } = await app.signUp();
    const content = bytes(12 * MiB + 17, 12); // parts of 5 MiB, 5 MiB, 2 MiB + 17
    const plan = (
      await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(content), size: content.length, name: "short.bin" } })
    ).body.data;
    const slice = (n: number) => content.subarray((n - 1) * plan.partSize, n * plan.partSize);
    const urlOf = (parts: { partNumber: number; url: string }[], n: number) => parts.find((p) => p.partNumber === n)!.url;
    // Part 1 stored with a fifth of its bytes; part 3, the last, whole (the remainder is its right size).
    expect((await fetch(urlOf(plan.parts, 1), { method: "PUT", body: slice(1).subarray(0, MiB) })).ok).toBe(true);
    expect((await fetch(urlOf(plan.parts, 3), { method: "PUT", body: slice(3) })).ok).toBe(true);
    const stored = await app.deps.storage.listParts(await objectKeyOf(plan.uploadKey), await multipartId(plan.uploadKey));
    expect(stored!.map((p) => [p.partNumber, p.size])).toEqual([
      [1, MiB],
      [3, 2 * MiB + 17],
    ]);

    const resume = (await app.call("POST", "/file/v1/upload/parts", { token, body: { uploadKey: plan.uploadKey } })).body.data;
    expect(resume.uploaded.map((p: { partNumber: number; size: number }) => [p.partNumber, p.size])).toEqual([[3, 2 * MiB + 17]]);
    expect(resume.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2]);
    for (const n of [1, 2]) expect((await fetch(urlOf(resume.parts, n), { method: "PUT", body: slice(n) })).ok).toBe(true);
    const done = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey } });
    expect(done.status).toBe(200);
    expect(await download(token, done.body.data.identity)).toEqual(sha256(content));
    expect(await quota(app, token)).toMatchObject({ usedSize: content.length, reservedSize: 0 });
  });

  it("does not count a part whose PUT was cut off mid-body: it gets a fresh URL", async () => {
    const { token } = await app.signUp();
    const content = bytes(11 * MiB, 13);
    const plan = (
      await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(content), size: content.length, name: "cut.bin" } })
    ).body.data;
    // Announce the whole part, send a fifth of it, then drop the connection, as a closed laptop does.
    await new Promise<void>((resolve) => {
      const req = request(plan.parts[0].url, { method: "PUT", headers: { "content-length": String(plan.partSize) } });
      req.on("error", () => resolve());
      req.on("close", () => resolve());
      req.write(content.subarray(0, MiB), () => req.destroy());
    });
    // A store that keeps what arrived (s3rver) lists the cut part once it has written it; a strict one stores nothing.
    const uploadId = await multipartId(plan.uploadKey);
    const objectKey = await objectKeyOf(plan.uploadKey);
    await settled(async () =>
      ((await app.deps.storage.listParts(objectKey, uploadId)) ?? []).some((p) => p.partNumber === 1 && p.size === MiB),
    );

    const resume = (await app.call("POST", "/file/v1/upload/parts", { token, body: { uploadKey: plan.uploadKey } })).body.data;
    expect(resume.uploaded).toEqual([]);
    expect(resume.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    for (const part of resume.parts) {
      const put = await fetch(part.url, {
        method: "PUT",
        body: content.subarray((part.partNumber - 1) * plan.partSize, part.partNumber * plan.partSize),
      });
      expect(put.ok).toBe(true);
    }
    const again = (await app.call("POST", "/file/v1/upload/parts", { token, body: { uploadKey: plan.uploadKey } })).body.data;
    expect(again.uploaded.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    expect(again.parts).toEqual([]);
    const done = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey } });
    expect(done.status).toBe(200);
    expect(await download(token, done.body.data.identity)).toEqual(sha256(content));
  });

  it("answers a callback before every part is stored with 409 300027 naming the parts, and the upload still completes after them", async () => {
    const { token } = await app.signUp();
    const content = bytes(11 * MiB, 14);
    const plan = (
      await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(content), size: content.length, name: "early.bin" } })
    ).body.data;
    const slice = (n: number) => content.subarray((n - 1) * plan.partSize, n * plan.partSize);
    const put = (n: number) => fetch(plan.parts[n - 1].url, { method: "PUT", body: slice(n) });
    expect((await put(2)).ok).toBe(true);
    // Parts a client names but never sent (or with made-up ETags) are no reason for a 500 or a failed upload.
    const early = await app.call("POST", "/file/v1/upload/callback", {
      token,
      body: {
        uploadKey: plan.uploadKey,
        parts: [
          { partNumber: 1, etag: '"nope"' },
          { partNumber: 2, etag: '"nope"' },
        ],
      },
    });
    expect(early).toMatchObject({ status: 409, body: { code: 300027 } });
    expect(early.body.msg).toMatch(/1, 3/);
    expect((await uploadRow(plan.uploadKey)).status).toBe("pending");
    for (const n of [1, 3]) expect((await put(n)).ok).toBe(true);
    const done = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey } });
    expect(done.status).toBe(200);
    expect(await download(token, done.body.data.identity)).toEqual(sha256(content));
  });

  it("refuses a multipart object whose bytes differ from the declaration", async () => {
    const { token } = await app.signUp();
    const content = bytes(7 * MiB, 7);
    const { callback } = await upload(app, token, content, { sendBytes: bytes(7 * MiB, 8) });
    expect(callback).toMatchObject({ status: 400, body: { code: 300023 } });
    expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
  });
});

describe("content store", () => {
  it("keeps stored content immutable: bytes PUT again through a used upload URL reach nobody, and a later upload of the content downloads its own bytes", async () => {
    const attacker = await app.signUp();
    const victim = await app.signUp();
    const content = bytes(3000, 21);
    const other = bytes(3000, 22);
    const plan = (
      await app.call("POST", "/file/v1/upload/presign", {
        token: attacker.token,
        body: { hash: sha256(content), size: content.length, name: "x.bin" },
      })
    ).body.data;
    expect((await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content })).ok).toBe(true);
    const done = await app.call("POST", "/file/v1/upload/callback", { token: attacker.token, body: { uploadKey: plan.uploadKey } });
    expect(done.status).toBe(200);
    await app.background.idle();
    // The URL has not expired: other bytes through it (moto stores them; a checking store refuses
    // them, so the same bytes again are tried as well), then their notifications.
    const rewrite = await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: other });
    expect(rewrite.ok).toBe(!app.deps.config.S3_TRUST_CHECKSUMS);
    expect((await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content })).ok).toBe(true);
    await app.background.idle();
    // Nothing the upload's key holds now is anyone's content: its notification deleted it.
    await settled(async () => !(await objectExists(await objectKeyOf(plan.uploadKey))));
    expect(await objectExists(await objectKeyOf(plan.uploadKey))).toBe(false);

    const mine = await uploadFile(app, victim.token, content, { name: "mine.bin" });
    expect(await download(victim.token, mine)).toEqual(sha256(content));
    expect(await download(attacker.token, done.body.data.identity)).toEqual(sha256(content));
    expect((await blobRow(sha256(content)))!.object_key).toBe(`blobs/${sha256(content)}/${plan.uploadKey}`);
  });

  it("dedupes concurrent uploads of one content into one blob with the right count", async () => {
    const { token } = await app.signUp();
    const content = bytes(10_000, 9);
    const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => uploadFile(app, token, content, { name: `same-${i}.bin` })));
    expect(new Set(ids).size).toBe(4);
    await app.background.idle();
    const blob = await blobRow(sha256(content));
    expect(blob!.ref_count).toBe(4);
    // Only the blob's own object remains: the uploads' objects and any losing copy were removed.
    const uploads = await app.deps.db
      .selectFrom("uploads")
      .select(["object_key", "upload_key"])
      .where("sha256", "=", sha256(content))
      .execute();
    expect((await Promise.all(uploads.map((u) => objectExists(u.object_key)))).filter(Boolean)).toEqual([]);
    const copies = uploads.map((u) => `blobs/${sha256(content)}/${u.upload_key}`);
    expect(copies).toContain(blob!.object_key);
    expect((await Promise.all(copies.map(objectExists))).filter(Boolean)).toHaveLength(1);
    expect(await objectExists(blob!.object_key)).toBe(true);
  });

  it("instant upload needs a correct proof of possession, then links the blob", async () => {
    const owner = await app.signUp();
    const content = bytes(200_000, 10);
    await uploadFile(app, owner.token, content);
    const { token } = await app.signUp();
    const ask = { hash: sha256(content), size: content.length, name: "copy.bin" };

    expect((await app.call("POST", "/file/v1/upload/instant", { token, body: { ...ask, hash: sha256("unknown") } })).body.data).toEqual({
      exists: false,
    });
    const first = await app.call("POST", "/file/v1/upload/instant", { token, body: ask });
    const { challenge } = first.body.data;
    expect(challenge.length).toBeGreaterThan(0);
    const proofFor = (c: typeof challenge) =>
      createHash("sha256")
        .update(c.nonce, "utf8")
        .update(content.subarray(c.offset, c.offset + c.length))
        .digest("hex");

    const wrong = await app.call("POST", "/file/v1/upload/instant", { token, body: { ...ask, proof: sha256("guess") } });
    expect(wrong).toMatchObject({ status: 403, body: { code: 300026 } });
    // The challenge was single-use: the right proof for it no longer works.
    const replay = await app.call("POST", "/file/v1/upload/instant", { token, body: { ...ask, proof: proofFor(challenge) } });
    expect(replay).toMatchObject({ status: 403, body: { code: 300026 } });
    expect(await listNames(app, token)).toEqual([]);

    const fresh = (await app.call("POST", "/file/v1/upload/instant", { token, body: ask })).body.data.challenge;
    const linked = await app.call("POST", "/file/v1/upload/instant", { token, body: { ...ask, proof: proofFor(fresh) } });
    expect(linked.status).toBe(200);
    expect(linked.body.data).toMatchObject({ exists: true, file: { name: "copy.bin", size: content.length } });
    expect((await blobRow(sha256(content)))!.ref_count).toBe(2);
    expect(await quota(app, token)).toMatchObject({ usedSize: content.length });
  });

  it("keeps the object while one reference remains and deletes it at zero", async () => {
    const { token } = await app.signUp();
    const content = bytes(3333, 11);
    const a = await uploadFile(app, token, content, { name: "a.bin" });
    const folder = await createFolder(app, token, "dir");
    expect((await app.call("POST", "/file/v1/file/copy", { token, body: { identities: [a], targetId: folder } })).body.data).toEqual({
      copiedCount: 1,
    });
    const blob = (await blobRow(sha256(content)))!;
    expect(blob.ref_count).toBe(2);

    await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [a] } });
    expect((await app.call("POST", "/file/v1/trash/delete", { token, body: { identities: [a] } })).body.data).toEqual({ deletedCount: 1 });
    expect((await blobRow(sha256(content)))!.ref_count).toBe(1);
    expect(await objectExists(blob.object_key)).toBe(true);

    await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [folder] } });
    expect((await app.call("POST", "/file/v1/trash/clear", { token, body: {} })).body.data).toEqual({ deletedCount: 1 });
    expect(await blobRow(sha256(content))).toBeUndefined();
    expect(await objectExists(blob.object_key)).toBe(false);
    expect(await quota(app, token)).toMatchObject({ usedSize: 0 });
  });
});
