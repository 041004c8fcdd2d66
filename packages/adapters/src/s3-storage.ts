import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { StorageUnavailableError, type ObjectStorage } from "@polaris/core";

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name, so Chinese names survive downloads. */
export function contentDisposition(fileName: string, type: "attachment" | "inline" = "attachment"): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.name === "NoSuchUpload" || e?.$metadata?.httpStatusCode === 404;
};

const unreachable = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN"]);
const cutOff = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_PREMATURE_CLOSE"]);
const timedOut = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const throttled = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailable",
]);

/**
 * Why the store cannot serve now, when that is what `err` says (the SDK has retried by then):
 * unreachable, connection cut, timed out, throttling or failing. Anything else is the caller's
 * (a missing key, a refused part) or a bug, and stays as it is.
 */
function outage(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== "object" || depth > 5) return undefined;
  const {
    name = "",
    code = "",
    $metadata,
    cause,
  } = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  const status = $metadata?.httpStatusCode ?? 0;
  if (unreachable.has(code)) return `cannot reach the object store (${code})`;
  if (cutOff.has(code)) return `the object store closed the connection (${code})`;
  if (timedOut.has(name) || code === "ETIMEDOUT") return "the object store did not answer in time";
  if (status === 429 || status === 503 || throttled.has(name))
    return `the object store is throttling requests (${throttled.has(name) ? name : `HTTP ${status}`})`;
  if (status >= 500) return `the object store failed (HTTP ${status}${name && name !== "Error" ? ` ${name}` : ""})`;
  return outage(cause, depth + 1);
}

/** Runs one storage operation, turning an outage into the port's StorageUnavailableError (502 300020, never a 500). */
async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const reason = err instanceof StorageUnavailableError ? undefined : outage(err);
    throw reason ? new StorageUnavailableError(`${reason} during ${operation}`, err) : err;
  }
}

/**
 * The object store over the AWS SDK: AWS S3 or any S3-compatible endpoint (path-style when asked).
 * `publicEndpoint` is where browsers reach the store when this process reaches it elsewhere;
 * `trustChecksums` says the store verifies declared checksums (S3 does, moto does not), so a
 * checksum it reports proves the bytes.
 */
export function createS3Storage(options: {
  bucket: string;
  client: S3ClientConfig;
  publicEndpoint?: string;
  trustChecksums: boolean;
}): ObjectStorage & { client: S3Client } {
  // Checksums only where the API requires one: by default the SDK would sign the CRC32 of the empty
  // body into every presigned part URL, and S3 refuses the real part (BadDigest).
  const config: S3ClientConfig = { requestChecksumCalculation: "WHEN_REQUIRED", ...options.client };
  const client = new S3Client(config);
  const signer = options.publicEndpoint ? new S3Client({ ...config, endpoint: options.publicEndpoint }) : client;
  const Bucket = options.bucket;
  return {
    client,
    async presignPut(key, { size, sha256Base64, contentType, expiresInSeconds }) {
      const command = new PutObjectCommand({
        Bucket,
        Key: key,
        ContentLength: size,
        ContentType: contentType,
        ChecksumSHA256: sha256Base64,
      });
      // Signed headers: S3 refuses a body whose SHA-256 differs from the declared one.
      const headers: Record<string, string> = {
        ...(contentType === undefined ? {} : { "content-type": contentType }),
        ...(sha256Base64 === undefined ? {} : { "x-amz-checksum-sha256": sha256Base64 }),
      };
      const url = await getSignedUrl(signer, command, {
        expiresIn: expiresInSeconds,
        signableHeaders: new Set(Object.keys(headers)),
        unhoistableHeaders: new Set(["x-amz-checksum-sha256"]),
      });
      return { url, headers };
    },
    createMultipart: (key, contentType) =>
      guarded("CreateMultipartUpload", async () => {
        const out = await client.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: contentType }));
        if (!out.UploadId) throw new Error("storage returned no UploadId");
        return out.UploadId;
      }),
    presignPart: (key, uploadId, partNumber, expiresInSeconds) =>
      getSignedUrl(signer, new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }), {
        expiresIn: expiresInSeconds,
      }),
    listParts: (key, uploadId) =>
      guarded("ListParts", async () => {
        const parts: { partNumber: number; etag: string; size: number }[] = [];
        let marker: string | undefined;
        try {
          do {
            const out = await client.send(new ListPartsCommand({ Bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
            for (const p of out.Parts ?? []) parts.push({ partNumber: p.PartNumber!, etag: p.ETag!, size: Number(p.Size ?? 0) });
            marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
          } while (marker);
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
        return parts.sort((a, b) => a.partNumber - b.partNumber);
      }),
    completeMultipart: (key, uploadId, parts) =>
      guarded("CompleteMultipartUpload", async () => {
        const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
        try {
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key: key,
              UploadId: uploadId,
              MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
            }),
          );
          return "completed";
        } catch (err) {
          const name = (err as { name?: string }).name ?? "";
          // The parts were just listed: a store that now has no such key is failing, not the client.
          if (name === "NoSuchKey")
            throw new StorageUnavailableError("the object store lost a part it had listed (NoSuchKey) during CompleteMultipartUpload", err);
          if (isMissing(err)) return "missing";
          if (["InvalidPart", "InvalidPartOrder", "EntityTooSmall"].includes(name)) return "rejected";
          throw err;
        }
      }),
    abortMultipart: (key, uploadId) =>
      guarded("AbortMultipartUpload", async () => {
        try {
          await client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }));
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }),
    uploadPart: (key, uploadId, partNumber, body) =>
      guarded("UploadPart", async () => {
        const out = await client.send(
          new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }),
        );
        if (!out.ETag) throw new Error("storage returned no ETag for the part");
        return out.ETag;
      }),
    head: (key) =>
      guarded("HeadObject", async () => {
        try {
          const out = await client.send(new HeadObjectCommand({ Bucket, Key: key, ChecksumMode: "ENABLED" }));
          // A multipart object's checksum is a checksum of checksums ("…-N"), not the whole-object SHA-256.
          const whole = out.ChecksumSHA256 && !out.ChecksumSHA256.includes("-") && out.ChecksumType !== "COMPOSITE";
          const sha = options.trustChecksums && whole ? out.ChecksumSHA256 : undefined;
          return { size: Number(out.ContentLength ?? 0), sha256Base64: sha };
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
      }),
    copy: (source, target) =>
      guarded("CopyObject", async () => {
        try {
          // Asked for SHA-256, S3 computes the whole copy's checksum itself (a copy is one part).
          await client.send(
            new CopyObjectCommand({
              Bucket,
              Key: target,
              CopySource: `${Bucket}/${source.split("/").map(encodeURIComponent).join("/")}`,
              ChecksumAlgorithm: "SHA256",
            }),
          );
          return true;
        } catch (err) {
          if (isMissing(err)) return false;
          throw err;
        }
      }),
    // The body is read inside the guard: a store that goes away mid-stream is an outage too.
    sha256: (key) =>
      guarded("GetObject", async () => {
        const hash = createHash("sha256");
        try {
          const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
          for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
        return hash.digest("hex");
      }),
    // An outage after the first byte surfaces from the stream itself (the reader fails, its job is retried).
    readStream: (key) =>
      guarded("GetObject", async () => {
        try {
          const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
          return out.Body as AsyncIterable<Uint8Array>;
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
      }),
    readRange: (key, offset, length) =>
      guarded("GetObject", async () => {
        if (length === 0) return new Uint8Array();
        try {
          const out = await client.send(new GetObjectCommand({ Bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
          return await out.Body!.transformToByteArray();
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
      }),
    presignGet: (key, { fileName, contentType, expiresInSeconds, inline, signedAt }) =>
      getSignedUrl(
        signer,
        new GetObjectCommand({
          Bucket,
          Key: key,
          ResponseContentDisposition: contentDisposition(fileName, inline ? "inline" : "attachment"),
          ResponseContentType: contentType,
        }),
        { expiresIn: expiresInSeconds, ...(signedAt ? { signingDate: signedAt } : {}) },
      ),
    put: (key, body, contentType) =>
      guarded("PutObject", async () => {
        await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType }));
      }),
    delete: (keys) =>
      guarded("DeleteObjects", async () => {
        for (let i = 0; i < keys.length; i += 1000) {
          await client.send(
            new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true } }),
          );
        }
      }),
  };
}
