import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskBucket, newPartEtag } from "./disk";

// The whole object's SHA-256 of a multipart upload, hashed from its parts in order while they
// arrive (disk.ts): the store reports it as the object's checksum and the product trusts it.

const root = mkdtempSync(join(tmpdir(), "polaris-whole-sha256-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest("base64");

async function bucketWithUpload(name: string) {
  const bucket = new DiskBucket(root, name);
  await bucket.init();
  const uploadId = await bucket.createUpload({
    key: "k",
    contentType: "binary/octet-stream",
    metadata: {},
    initiated: new Date().toISOString(),
  });
  const put = async (partNumber: number, bytes: Buffer) => {
    const temp = bucket.tempFile();
    await writeFile(temp, bytes);
    return bucket.putPart(uploadId, { partNumber, size: bytes.length, etag: newPartEtag(), checksums: {} }, temp);
  };
  return { bucket, uploadId, put };
}

describe("whole-object SHA-256 of a multipart upload", () => {
  it("is the SHA-256 of the parts in order, whatever order they arrived in, and needs no second read", async () => {
    const { bucket, uploadId, put } = await bucketWithUpload("out-of-order");
    const bytes = [randomBytes(300_000), randomBytes(5 * 1024 * 1024 + 7), randomBytes(1234)];
    await put(3, bytes[2]);
    await put(1, bytes[0]);
    await put(2, bytes[1]);
    const parts = await bucket.parts(uploadId);
    expect(await bucket.wholeSha256(uploadId, parts)).toBe(sha256(...bytes));
    // Hashed as the parts came in: the answer holds with the files gone.
    for (const part of parts) await unlink(bucket.partPath(uploadId, part));
    expect(await bucket.wholeSha256(uploadId, parts)).toBe(sha256(...bytes));
  });

  it("follows a part replaced after it was hashed", async () => {
    const { bucket, uploadId, put } = await bucketWithUpload("replaced");
    const [one, two, newOne] = [randomBytes(100_000), randomBytes(200_000), randomBytes(150_000)];
    await put(1, one);
    await put(2, two);
    expect(await bucket.wholeSha256(uploadId, await bucket.parts(uploadId))).toBe(sha256(one, two));
    await put(1, newOne);
    expect(await bucket.wholeSha256(uploadId, await bucket.parts(uploadId))).toBe(sha256(newOne, two));
  });

  it("reads the parts when the chosen ones are not 1…n, and after a restart", async () => {
    const { bucket, uploadId, put } = await bucketWithUpload("fallback");
    const bytes = [randomBytes(70_000), randomBytes(80_000), randomBytes(90_000)];
    for (const [i, b] of bytes.entries()) await put(i + 1, b);
    const parts = await bucket.parts(uploadId);
    expect(await bucket.wholeSha256(uploadId, [parts[0], parts[2]])).toBe(sha256(bytes[0], bytes[2]));
    expect(await bucket.wholeSha256(uploadId, parts.slice(0, 2))).toBe(sha256(bytes[0], bytes[1]));
    const restarted = new DiskBucket(root, "fallback");
    expect(await restarted.wholeSha256(uploadId, parts)).toBe(sha256(...bytes));
  });

  it("after a restart, hashes the parts already on disk once the next one arrives", async () => {
    const { uploadId, put } = await bucketWithUpload("resumed");
    const bytes = [randomBytes(60_000), randomBytes(60_000), randomBytes(10)];
    await put(1, bytes[0]);
    await put(2, bytes[1]);
    const restarted = new DiskBucket(root, "resumed");
    const temp = restarted.tempFile();
    await writeFile(temp, bytes[2]);
    await restarted.putPart(uploadId, { partNumber: 3, size: bytes[2].length, etag: newPartEtag(), checksums: {} }, temp);
    const parts = await restarted.parts(uploadId);
    expect(await restarted.wholeSha256(uploadId, parts)).toBe(sha256(...bytes));
  });
});
