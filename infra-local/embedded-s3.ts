import { createHash } from "node:crypto";
import { readdir, readFile, rm, stat, unlink } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import S3rver from "s3rver";

/** s3rver's fixed credentials. */
export const EMBEDDED_S3_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

const corsConfig = `<CORSConfiguration><CORSRule>
<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>
<AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader>
<ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-amz-checksum-sha256</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds>
</CORSRule></CORSConfiguration>`;

interface S3rverInternals {
  store: {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    deleteObject(bucket: string, key: string): Promise<void>;
  };
  middleware: unknown[];
  on(event: "event", listener: (event: { Records: unknown[] }) => void): void;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

type KoaContext = {
  res: import("node:http").ServerResponse;
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  body: unknown;
  type: string;
  set(name: string, value: string): void;
};

/**
 * s3rver lacks ListParts and AbortMultipartUpload, which resumable uploads need; this middleware
 * answers both from s3rver's own upload directory in S3's XML.
 */
function multipartShim(server: S3rverInternals) {
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
    const uploadId = ctx.query.uploadId;
    if (!match || !uploadId || ctx.query.partNumber || !/^[0-9a-f]+$/.test(uploadId) || !["GET", "DELETE"].includes(ctx.method)) return next();
    const dir = join(server.store.getResourcePath(match[1], undefined, "uploads"), uploadId);
    const exists = await stat(dir).then(() => true, () => false);
    if (!exists) {
      ctx.status = 404;
      ctx.type = "application/xml";
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`;
      return;
    }
    if (ctx.method === "DELETE") {
      await rm(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const numbers = (await readdir(dir)).filter((f) => /^\d+$/.test(f)).map(Number).sort((a, b) => a - b);
    const parts = await Promise.all(numbers.map(async (n) => ({
      n,
      size: (await stat(join(dir, String(n)))).size,
      md5: (await readFile(join(dir, `${n}.md5`), "utf8").catch(() => "")).trim() || createHash("md5").update(await readFile(join(dir, String(n)))).digest("hex"),
    })));
    ctx.type = "application/xml";
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult><Bucket>${match[1]}</Bucket><Key>${match[2]}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts
      .map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>"${p.md5}"</ETag><Size>${p.size}</Size></Part>`)
      .join("")}</ListPartsResult>`;
  };
}

export interface EmbeddedS3 {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The embedded profile's object store: s3rver on loopback, data on disk, bucket CORS configured;
 * each ObjectCreated record is handed to `onEvent` in the JSON shape S3 sends to SQS.
 */
export async function startEmbeddedS3(options: { directory: string; bucket: string; port: number; onEvent: (body: string) => void }): Promise<EmbeddedS3> {
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port,
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [corsConfig] }],
  }) as unknown as S3rverInternals;
  // S3 delivers notifications after the write has been answered; s3rver emits them while it is
  // still answering (it reads the object back), so a consumer that deletes a redundant copy at
  // once would break that response. Hold each event until its object's request has finished.
  const writes = new Map<string, Promise<void>>();
  const trackWrites = async (ctx: KoaContext, next: () => Promise<void>) => {
    if (ctx.method === "PUT" || ctx.method === "POST") {
      const path = decodeURIComponent(ctx.path);
      const finished = new Promise<void>((resolve) => {
        ctx.res.once("finish", resolve);
        ctx.res.once("close", resolve);
      });
      writes.set(path, finished);
      void finished.then(() => writes.get(path) === finished && writes.delete(path));
    }
    return next();
  };
  server.middleware.unshift(trackWrites, multipartShim(server));
  // s3rver removes a key's parent directories once they are empty, racing a PUT into the same
  // directory between its mkdir and its write (500: EEXIST or ENOENT). S3 has no directories: keep them.
  server.store.deleteObject = async (bucket, key) => {
    await Promise.all(
      ["object", "object.md5", "metadata.json"].map((resource) =>
        unlink(server.store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        }),
      ),
    );
  };
  server.on("event", (event) => {
    const record = (event.Records[0] ?? {}) as { s3?: { bucket?: { name?: string }; object?: { key?: string } } };
    const path = `/${record.s3?.bucket?.name}/${decodeURIComponent(record.s3?.object?.key ?? "")}`;
    void (writes.get(path) ?? Promise.resolve()).then(() => options.onEvent(JSON.stringify(event)));
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}
