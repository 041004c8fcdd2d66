import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startObjectStore } from "./server";

// The SDK with its defaults sends a streamed body as aws-chunked with the checksum in a trailer it
// names up front (x-amz-trailer): the store computes that checksum as the bytes arrive.

const directory = mkdtempSync(join(tmpdir(), "polaris-aws-chunked-"));
const credentials = { accessKeyId: "AKCHUNKED", secretAccessKey: "chunked-secret-key" };
let store: Awaited<ReturnType<typeof startObjectStore>>;
let s3: S3Client;
beforeAll(async () => {
  store = await startObjectStore({ directory, bucket: "b", credentials, region: "us-east-1", port: 0 });
  s3 = new S3Client({ endpoint: store.endpoint, forcePathStyle: true, region: "us-east-1", credentials });
});
afterAll(async () => {
  s3.destroy();
  await store.close();
  rmSync(directory, { recursive: true, force: true });
});

const body = Buffer.concat([Buffer.alloc(100_000, 1), Buffer.alloc(50_000, 2)]);
const stream = (bytes: Buffer) => Readable.from([bytes.subarray(0, 70_000), bytes.subarray(70_000)]);

it.each([undefined, "CRC32", "SHA1", "SHA256"] as const)(
  "PutObject and UploadPart with a streamed body (checksum %s in the trailer)",
  async (algorithm) => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: `put-${algorithm}`,
        Body: stream(body),
        ContentLength: body.length,
        ChecksumAlgorithm: algorithm,
      }),
    );
    expect(put.ETag).toMatch(/^"[^"]+"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: "b", Key: `put-${algorithm}` }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);

    const key = `multipart-${algorithm}`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "b", Key: key, ChecksumAlgorithm: algorithm }));
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: "b",
        Key: key,
        UploadId,
        PartNumber: 1,
        Body: stream(body),
        ContentLength: body.length,
        ChecksumAlgorithm: algorithm,
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "b",
        Key: key,
        UploadId,
        MultipartUpload: {
          Parts: [
            {
              PartNumber: 1,
              ETag: part.ETag,
              ChecksumCRC32: part.ChecksumCRC32,
              ChecksumSHA1: part.ChecksumSHA1,
              ChecksumSHA256: part.ChecksumSHA256,
            },
          ],
        },
      }),
    );
    const whole = await s3.send(new GetObjectCommand({ Bucket: "b", Key: key }));
    const bytes = Buffer.from(await whole.Body!.transformToByteArray());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(createHash("sha256").update(body).digest("hex"));
  },
);

it("refuses a streamed body whose trailer checksum does not match (BadDigest, nothing stored)", async () => {
  const url = new URL(`${store.endpoint}/b/wrong-trailer`);
  const data = body.subarray(0, 1000);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: "s3", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign({
    method: "PUT",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
    },
  });
  const chunked = Buffer.concat([
    Buffer.from(`${data.length.toString(16)}\r\n`),
    data,
    Buffer.from("\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"),
  ]);
  const res = await fetch(url, { method: "PUT", headers: { ...signed.headers, "content-length": String(chunked.length) }, body: chunked });
  expect(res.status).toBe(400);
  expect(await res.text()).toContain("<Code>BadDigest</Code>");
  await expect(s3.send(new GetObjectCommand({ Bucket: "b", Key: "wrong-trailer" }))).rejects.toMatchObject({ name: "NoSuchKey" });
});
