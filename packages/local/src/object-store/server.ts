import { createHash, randomUUID } from "node:crypto";
import { readFile, unlink } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { CHECKSUM_ALGORITHMS, declaredChecksums, receiveBody, type ChecksumAlgorithm, type ReceiveOptions } from "./body";
import { DiskBucket, etagOf, newPartEtag, type ObjectMeta, type PartMeta, type ReportedChecksum } from "./disk";
import { errorXml, S3Error, xmlEscape, xmlUnescape } from "./errors";
import { parseQuery, verifySignature, type Credentials } from "./sigv4";

export interface CorsRule {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

/** The bucket CORS rule the stacks give S3, for the configured origins (comma-separated, or `*`). */
export const corsRules = (origins: string): CorsRule[] => [
  {
    allowedOrigins: origins
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    allowedMethods: ["GET", "PUT", "HEAD"],
    allowedHeaders: ["*"],
    exposeHeaders: ["ETag", "x-amz-checksum-sha256"],
    maxAgeSeconds: 3600,
  },
];

export interface ObjectStoreOptions {
  /** Folder that holds the bucket (`<directory>/<bucket>/…`). */
  directory: string;
  bucket: string;
  credentials: Credentials;
  region: string;
  /** The bucket's CORS configuration; no rule, no cross-origin access (as on S3). */
  cors?: CorsRule[];
  /** Receives each ObjectCreated notification (S3's JSON) once the object is committed and answered. */
  onEvent?: (body: string, key: string) => void;
  /** The path the store is served under on a shared server (`/s3`); signatures cover it. */
  pathPrefix?: string;
  /** S3's minimum size of every part but the last. */
  minPartSizeBytes?: number;
}

const MiB = 1024 * 1024;
const MAX_OBJECT_BYTES = 5 * 1024 * MiB;
const MAX_SMALL_BODY = MiB;
/** An object is the user's bytes, never a page of this origin: sandboxed (an opaque origin, no script) and not sniffed. */
const objectSecurityHeaders = {
  "content-security-policy": "sandbox; default-src 'none'",
  "x-content-type-options": "nosniff",
};

const NO_SUCH_KEY = () => new S3Error(404, "NoSuchKey", "The specified key does not exist.");
const xmlHead = '<?xml version="1.0" encoding="UTF-8"?>\n';
const unquote = (etag: string) => etag.replace(/^"|"$/g, "");
/** S3 event keys are form-encoded: spaces as '+', the rest percent-encoded. */
const eventKey = (key: string) => encodeURIComponent(key).replace(/%20/g, "+");
const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm}`;
const checksumXml = (checksum?: ReportedChecksum) =>
  checksum ? `<Checksum${checksum.algorithm.toUpperCase()}>${checksum.value}</Checksum${checksum.algorithm.toUpperCase()}>` : "";

const originMatches = (pattern: string, origin: string) => {
  if (pattern === "*") return true;
  const star = pattern.indexOf("*");
  return star < 0
    ? pattern === origin
    : origin.startsWith(pattern.slice(0, star)) && origin.endsWith(pattern.slice(star + 1)) && origin.length >= pattern.length - 1;
};
const headerAllowed = (patterns: string[], header: string) => patterns.some((p) => originMatches(p.toLowerCase(), header.toLowerCase()));

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  rawPath: string;
  query: [string, string][];
  key: string | null;
  requestId: string;
}

/**
 * An S3-compatible object store for the local profiles that refuses what Amazon S3 refuses: SigV4
 * in headers or presigned queries (with expiry), declared checksums (BadDigest, nothing stored),
 * Content-Length, atomic writes, multipart rules (InvalidPart, InvalidPartOrder, EntityTooSmall),
 * conditional PUT, opaque keys, bucket CORS. It serves one path-style bucket on disk.
 */
export async function createObjectStore(options: ObjectStoreOptions) {
  const bucket = new DiskBucket(options.directory, options.bucket);
  await bucket.init();
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "");
  const minPartSize = options.minPartSizeBytes ?? 5 * MiB;
  const rules = options.cors ?? [];

  const lookup = (r: Request, name: string) => {
    const header = r.req.headers[name];
    if (header !== undefined) return Array.isArray(header) ? header.join(",") : header;
    return r.query.find(([k]) => k.toLowerCase() === name)?.[1];
  };
  const queryHas = (r: Request, name: string) => r.query.some(([k]) => k === name);
  const queryValue = (r: Request, name: string) => r.query.find(([k]) => k === name)?.[1];

  function corsRule(origin: string, method: string, headers: string[]) {
    return rules.find(
      (rule) =>
        rule.allowedOrigins.some((o) => originMatches(o, origin)) &&
        rule.allowedMethods.includes(method) &&
        headers.every((h) => headerAllowed(rule.allowedHeaders, h)),
    );
  }

  function preflight(r: Request) {
    const origin = r.req.headers.origin;
    const method = r.req.headers["access-control-request-method"];
    if (!origin || !method) throw new S3Error(400, "BadRequest", "Insufficient information. Origin request header needed.");
    const requested = String(r.req.headers["access-control-request-headers"] ?? "")
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean);
    const rule = corsRule(origin, method, requested);
    if (!rule)
      throw new S3Error(
        403,
        "AccessForbidden",
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      );
    r.res.writeHead(200, {
      "access-control-allow-origin": rule.allowedOrigins.includes("*") ? "*" : origin,
      "access-control-allow-methods": rule.allowedMethods.join(", "),
      ...(requested.length ? { "access-control-allow-headers": requested.join(", ") } : {}),
      ...(rule.exposeHeaders.length ? { "access-control-expose-headers": rule.exposeHeaders.join(", ") } : {}),
      "access-control-max-age": String(rule.maxAgeSeconds),
      vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
      "content-length": "0",
    });
    r.res.end();
  }

  /** CORS headers of an actual (non-preflight) request from a browser. */
  function corsHeaders(r: Request): Record<string, string> {
    const origin = r.req.headers.origin;
    if (!origin) return {};
    const rule = corsRule(origin, r.method, []);
    if (!rule) return {};
    return {
      "access-control-allow-origin": rule.allowedOrigins.includes("*") ? "*" : origin,
      ...(rule.exposeHeaders.length ? { "access-control-expose-headers": rule.exposeHeaders.join(", ") } : {}),
      vary: "Origin",
    };
  }

  const send = (r: Request, status: number, headers: Record<string, string>, body?: string) => {
    const bytes = body === undefined ? undefined : Buffer.from(body, "utf8");
    r.res.writeHead(status, {
      "x-amz-request-id": r.requestId,
      ...corsHeaders(r),
      ...(bytes ? { "content-type": "application/xml", "content-length": String(bytes.length) } : { "content-length": "0" }),
      ...headers,
    });
    r.res.end(r.method === "HEAD" ? undefined : bytes);
  };

  const emit = (r: Request, eventName: string, meta: ObjectMeta) => {
    if (!options.onEvent) return;
    const record = {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: options.region,
      eventTime: meta.lastModified,
      eventName: `ObjectCreated:${eventName}`,
      userIdentity: { principalId: "local" },
      requestParameters: { sourceIPAddress: r.req.socket.remoteAddress ?? "127.0.0.1" },
      responseElements: { "x-amz-request-id": r.requestId },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "local",
        bucket: { name: options.bucket, ownerIdentity: { principalId: "local" }, arn: `arn:aws:s3:::${options.bucket}` },
        object: { key: eventKey(meta.key), size: meta.size, eTag: unquote(meta.etag), sequencer: Date.now().toString(16).toUpperCase() },
      },
    };
    const body = JSON.stringify({ Records: [record] });
    // S3 notifies after the write was answered; a consumer that deletes the object must not race the answer.
    const deliver = () => options.onEvent!(body, meta.key);
    if (r.res.writableFinished) deliver();
    else r.res.once("close", deliver);
  };

  /** How the body arrives, from the signature's payload hash: plain (maybe hashed) or aws-chunked. */
  function bodyOptions(
    r: Request,
    payloadHash: string,
    declared: ReceiveOptions["declared"],
    compute: ChecksumAlgorithm[] = [],
  ): ReceiveOptions {
    const contentMd5 = lookup(r, "content-md5");
    if (payloadHash.startsWith("STREAMING-")) {
      if (payloadHash !== "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        throw new S3Error(
          501,
          "NotImplemented",
          `${payloadHash} is not implemented by this store: use STREAMING-UNSIGNED-PAYLOAD-TRAILER or a plain body`,
        );
      const decoded = Number(r.req.headers["x-amz-decoded-content-length"]);
      if (!Number.isSafeInteger(decoded) || decoded < 0)
        throw new S3Error(411, "MissingContentLength", "You must provide the x-amz-decoded-content-length header for aws-chunked bodies.");
      // The trailer's checksum is named up front (x-amz-trailer): it is computed as the bytes arrive.
      const trailer = String(r.req.headers["x-amz-trailer"] ?? "")
        .trim()
        .toLowerCase()
        .replace(/^x-amz-checksum-/, "") as ChecksumAlgorithm;
      return {
        length: decoded,
        chunked: true,
        declared,
        compute: CHECKSUM_ALGORITHMS.includes(trailer) ? [...compute, trailer] : compute,
        contentMd5,
      };
    }
    const length = r.req.headers["content-length"];
    if (length === undefined || !/^\d+$/.test(length))
      throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
    return {
      length: Number(length),
      chunked: false,
      declared,
      compute,
      contentMd5,
      contentSha256: /^[0-9a-f]{64}$/i.test(payloadHash) ? payloadHash : undefined,
    };
  }

  /** A small XML body (CompleteMultipartUpload, DeleteObjects), checked like any other body. */
  async function smallBody(r: Request, payloadHash: string) {
    const opts = bodyOptions(
      r,
      payloadHash,
      declaredChecksums((n) => lookup(r, n)),
    );
    if (opts.length > MAX_SMALL_BODY) throw new S3Error(400, "MaxMessageLengthExceeded", "Your request was too big.");
    const file = bucket.tempFile();
    await receiveBody(r.req, file, opts);
    try {
      return await readFile(file, "utf8");
    } finally {
      await unlink(file).catch(() => undefined);
    }
  }

  const metadataOf = (r: Request) =>
    Object.fromEntries(
      Object.entries(r.req.headers)
        .filter(([k]) => k.startsWith("x-amz-meta-"))
        .map(([k, v]) => [k.slice(11), String(v)]),
    );

  async function putObject(r: Request, key: string, payloadHash: string) {
    const ifNoneMatch = r.req.headers["if-none-match"];
    if (ifNoneMatch !== undefined && ifNoneMatch !== "*") throw new S3Error(501, "NotImplemented", "If-None-Match only supports *");
    if (ifNoneMatch === "*" && (await bucket.head(key)))
      throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    const declared = declaredChecksums((n) => lookup(r, n));
    const opts = bodyOptions(r, payloadHash, declared);
    if (opts.length > MAX_OBJECT_BYTES) throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    const file = bucket.tempFile();
    const received = await receiveBody(r.req, file, opts);
    const algorithm = received.declared;
    const checksum: ReportedChecksum | undefined = algorithm
      ? { algorithm, value: received.checksums[algorithm]!, type: "FULL_OBJECT" }
      : undefined;
    let meta: ObjectMeta;
    try {
      meta = await bucket.commit(
        key,
        {
          size: received.size,
          etag: etagOf(received.sha256),
          contentType: r.req.headers["content-type"] ?? "binary/octet-stream",
          metadata: metadataOf(r),
          sha256: received.sha256,
          checksum,
        },
        [{ path: file, size: received.size }],
        { ifNoneMatch: ifNoneMatch === "*" },
      );
    } catch (error) {
      await unlink(file).catch(() => undefined);
      throw error;
    }
    send(r, 200, { etag: meta.etag, ...(checksum ? { [checksumHeader(checksum.algorithm)]: checksum.value } : {}) });
    emit(r, "Put", meta);
  }

  /** The x-amz-checksum-algorithm a CopyObject or CreateMultipartUpload asks for; "" when none. */
  function requestedAlgorithm(r: Request): ChecksumAlgorithm | "" {
    const algorithm = String(r.req.headers["x-amz-checksum-algorithm"] ?? "").toLowerCase() as ChecksumAlgorithm | "";
    if (algorithm && !CHECKSUM_ALGORITHMS.includes(algorithm))
      throw new S3Error(501, "NotImplemented", `checksum algorithm ${algorithm} is not implemented by this store`);
    return algorithm;
  }

  async function copyObject(r: Request, key: string) {
    const source = decodeURIComponent(String(r.req.headers["x-amz-copy-source"]).split("?")[0]).replace(/^\//, "");
    const slash = source.indexOf("/");
    if (slash < 0 || source.slice(0, slash) !== options.bucket)
      throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
    const meta = await bucket.head(source.slice(slash + 1));
    if (!meta) throw NO_SUCH_KEY();
    const ifNoneMatch = r.req.headers["if-none-match"];
    const replace = r.req.headers["x-amz-metadata-directive"] === "REPLACE";
    // Asked for a SHA-256 checksum, S3 computes the whole object's on copy; this store always knows it.
    const algorithm = requestedAlgorithm(r);
    const checksum: ReportedChecksum | undefined =
      algorithm === "sha256" ? { algorithm, value: meta.sha256, type: "FULL_OBJECT" } : algorithm ? undefined : meta.checksum;
    if (algorithm && algorithm !== "sha256")
      throw new S3Error(501, "NotImplemented", "only SHA256 checksums are computed on copy by this store");
    const copied = await bucket.copy(
      meta,
      key,
      {
        checksum,
        ...(replace ? { metadata: metadataOf(r), contentType: r.req.headers["content-type"] ?? "binary/octet-stream" } : {}),
      },
      { ifNoneMatch: ifNoneMatch === "*" },
    );
    send(
      r,
      200,
      {},
      `${xmlHead}<CopyObjectResult><LastModified>${copied.lastModified}</LastModified><ETag>${xmlEscape(copied.etag)}</ETag>${checksumXml(checksum)}</CopyObjectResult>`,
    );
    emit(r, "Copy", copied);
  }

  async function getObject(r: Request, key: string) {
    const meta = await bucket.head(key);
    if (!meta) throw NO_SUCH_KEY();
    const headers: Record<string, string> = {
      etag: meta.etag,
      "last-modified": new Date(meta.lastModified).toUTCString(),
      "accept-ranges": "bytes",
      "content-type": meta.contentType,
      // The embedded store shares the console's origin: an uploaded HTML or SVG opened from a download
      // URL must not run script there, whatever type it was stored or is answered with.
      ...objectSecurityHeaders,
    };
    for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
    // A range's bytes are not the whole object's: S3 sends no checksum with a partial answer.
    if (meta.checksum && !r.req.headers.range && String(r.req.headers["x-amz-checksum-mode"] ?? "").toUpperCase() === "ENABLED") {
      headers[checksumHeader(meta.checksum.algorithm)] = meta.checksum.value;
      headers["x-amz-checksum-type"] = meta.checksum.type;
    }
    for (const name of ["content-type", "content-disposition", "cache-control", "content-language", "expires", "content-encoding"]) {
      const value = queryValue(r, `response-${name}`);
      if (value !== undefined) headers[name] = value;
    }
    let start = 0;
    let end = meta.size - 1;
    let status = 200;
    const range = r.req.headers.range;
    if (range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(range);
      if (m && (m[1] || m[2])) {
        if (m[1]) {
          start = Number(m[1]);
          end = m[2] ? Math.min(Number(m[2]), meta.size - 1) : meta.size - 1;
        } else {
          start = Math.max(meta.size - Number(m[2]), 0);
        }
        if (start >= meta.size || start > end) {
          throw new S3Error(416, "InvalidRange", "The requested range is not satisfiable");
        }
        status = 206;
        headers["content-range"] = `bytes ${start}-${end}/${meta.size}`;
      }
    }
    const length = meta.size === 0 ? 0 : end - start + 1;
    if (r.method === "HEAD" || length === 0) return send(r, status, { ...headers, "content-length": String(length) });
    const stream = await bucket.openRead(meta, start, end);
    r.res.writeHead(status, { "x-amz-request-id": r.requestId, ...corsHeaders(r), ...headers, "content-length": String(length) });
    await pipeline(stream, r.res).catch(() => r.res.destroy());
  }

  async function deleteObjects(r: Request, payloadHash: string) {
    if (!lookup(r, "content-md5") && !CHECKSUM_ALGORITHMS.some((a) => lookup(r, checksumHeader(a))) && !r.req.headers["x-amz-trailer"]) {
      throw new S3Error(400, "InvalidRequest", "Missing required header for this request: Content-MD5 or x-amz-checksum-*");
    }
    const body = await smallBody(r, payloadHash);
    const keys = [...body.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map((m) => xmlUnescape(m[1]));
    if (!/<Delete[\s>]/.test(body) || keys.length > 1000)
      throw new S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
    const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(body);
    for (const key of keys) await bucket.delete(key);
    send(
      r,
      200,
      {},
      `${xmlHead}<DeleteResult>${quiet ? "" : keys.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join("")}</DeleteResult>`,
    );
  }

  async function listObjects(r: Request) {
    if (queryValue(r, "list-type") !== "2")
      throw new S3Error(501, "NotImplemented", "only ListObjectsV2 (list-type=2) is implemented by this store");
    const listPrefix = queryValue(r, "prefix") ?? "";
    const delimiter = queryValue(r, "delimiter") ?? "";
    const maxKeys = Math.min(Number(queryValue(r, "max-keys") ?? 1000), 1000);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, "InvalidArgument", "max-keys must be a non-negative integer");
    const token = queryValue(r, "continuation-token");
    const after = token !== undefined ? Buffer.from(token, "base64url").toString("utf8") : (queryValue(r, "start-after") ?? "");
    const urlEncode = queryValue(r, "encoding-type") === "url";
    const enc = (s: string) => xmlEscape(urlEncode ? encodeURIComponent(s).replace(/%2F/g, "/") : s);
    const contents: ObjectMeta[] = [];
    const prefixes = new Set<string>();
    let truncated = false;
    let last = "";
    for (const key of await bucket.keys()) {
      if (!key.startsWith(listPrefix) || (after && Buffer.compare(Buffer.from(key), Buffer.from(after)) <= 0)) continue;
      const rest = key.slice(listPrefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      const common = cut >= 0 ? listPrefix + rest.slice(0, cut + delimiter.length) : null;
      if (common && prefixes.has(common)) continue;
      if (contents.length + prefixes.size >= maxKeys) {
        truncated = true;
        break;
      }
      if (common) {
        prefixes.add(common);
        last = `${common}\uffff`;
      } else {
        const meta = await bucket.head(key);
        if (!meta) continue;
        contents.push(meta);
        last = key;
      }
    }
    const items = contents
      .map(
        (m) =>
          `<Contents><Key>${enc(m.key)}</Key><LastModified>${m.lastModified}</LastModified><ETag>${xmlEscape(m.etag)}</ETag><Size>${m.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join("");
    const common = [...prefixes].map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join("");
    send(
      r,
      200,
      {},
      `${xmlHead}<ListBucketResult><Name>${xmlEscape(options.bucket)}</Name><Prefix>${enc(listPrefix)}</Prefix><KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${enc(delimiter)}</Delimiter>` : ""}${urlEncode ? "<EncodingType>url</EncodingType>" : ""}<IsTruncated>${truncated}</IsTruncated>${token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ""}${truncated ? `<NextContinuationToken>${Buffer.from(last, "utf8").toString("base64url")}</NextContinuationToken>` : ""}${items}${common}</ListBucketResult>`,
    );
  }

  async function createUpload(r: Request, key: string) {
    const algorithm = requestedAlgorithm(r);
    const uploadId = await bucket.createUpload({
      key,
      contentType: r.req.headers["content-type"] ?? "binary/octet-stream",
      metadata: metadataOf(r),
      initiated: new Date().toISOString(),
      ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
    });
    send(
      r,
      200,
      algorithm ? { "x-amz-checksum-algorithm": algorithm.toUpperCase() } : {},
      `${xmlHead}<InitiateMultipartUploadResult><Bucket>${xmlEscape(options.bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
    );
  }

  async function uploadPart(r: Request, key: string, payloadHash: string) {
    if (r.req.headers["x-amz-copy-source"]) throw new S3Error(501, "NotImplemented", "UploadPartCopy is not implemented by this store");
    const uploadId = queryValue(r, "uploadId")!;
    const partNumber = Number(queryValue(r, "partNumber"));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000)
      throw new S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
    const upload = await bucket.upload(uploadId, key);
    const declared = declaredChecksums((n) => lookup(r, n));
    const opts = bodyOptions(r, payloadHash, declared, upload.checksumAlgorithm ? [upload.checksumAlgorithm] : []);
    if (opts.length > MAX_OBJECT_BYTES) throw new S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
    const file = bucket.tempFile();
    // The part's own SHA-256 only when a checksum asks for it: its bytes go into the whole object's
    // SHA-256 anyway (disk.ts), and its ETag names the write, not the content.
    const received = await receiveBody(r.req, file, { ...opts, ...(opts.chunked ? {} : { sha256: false as const }) });
    const part = await bucket.putPart(
      uploadId,
      { partNumber, size: received.size, etag: newPartEtag(), checksums: received.checksums },
      file,
    );
    const reported = upload.checksumAlgorithm ?? (Object.keys(declared)[0] as ChecksumAlgorithm | undefined);
    send(r, 200, { etag: part.etag, ...(reported ? { [checksumHeader(reported)]: received.checksums[reported]! } : {}) });
  }

  async function listParts(r: Request, key: string) {
    const uploadId = queryValue(r, "uploadId")!;
    const upload = await bucket.upload(uploadId, key);
    const marker = Number(queryValue(r, "part-number-marker") ?? 0);
    const maxParts = Math.min(Number(queryValue(r, "max-parts") ?? 1000), 1000);
    const all = (await bucket.parts(uploadId)).filter((p) => p.partNumber > marker);
    const page = all.slice(0, maxParts);
    const truncated = all.length > page.length;
    const algorithm = upload.checksumAlgorithm;
    const items = page
      .map(
        (p) =>
          `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified}</LastModified><ETag>${xmlEscape(p.etag)}</ETag><Size>${p.size}</Size>${
            algorithm ? checksumXml({ algorithm, value: p.checksums[algorithm]!, type: "COMPOSITE" }) : ""
          }</Part>`,
      )
      .join("");
    send(
      r,
      200,
      {},
      `${xmlHead}<ListPartsResult><Bucket>${xmlEscape(options.bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${uploadId}</UploadId><PartNumberMarker>${marker}</PartNumberMarker>${
        truncated ? `<NextPartNumberMarker>${page.at(-1)!.partNumber}</NextPartNumberMarker>` : ""
      }<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${
        algorithm ? `<ChecksumAlgorithm>${algorithm.toUpperCase()}</ChecksumAlgorithm>` : ""
      }${items}</ListPartsResult>`,
    );
  }

  async function completeUpload(r: Request, key: string, payloadHash: string) {
    const uploadId = queryValue(r, "uploadId")!;
    const body = await smallBody(r, payloadHash);
    const meta = await bucket.completeUpload(uploadId, async () => {
      const upload = await bucket.upload(uploadId, key);
      const requested = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1])?.[1]),
        etag: xmlUnescape(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1] ?? "").trim(),
      }));
      if (!/<CompleteMultipartUpload[\s>]/.test(body) || requested.length === 0 || requested.some((p) => !Number.isInteger(p.partNumber))) {
        throw new S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
      }
      const stored = new Map((await bucket.parts(uploadId)).map((p) => [p.partNumber, p]));
      const chosen: PartMeta[] = [];
      for (const [index, want] of requested.entries()) {
        if (index > 0 && want.partNumber <= requested[index - 1].partNumber)
          throw new S3Error(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
          );
        const part = stored.get(want.partNumber);
        if (!part || unquote(part.etag) !== unquote(want.etag)) {
          throw new S3Error(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          );
        }
        chosen.push(part);
      }
      for (const part of chosen.slice(0, -1)) {
        if (part.size < minPartSize)
          throw new S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
      }
      // The whole object's SHA-256, hashed from the parts in order as they came in (or read back
      // now): kept with the object, so nobody reads it again.
      const sha256 = await bucket.wholeSha256(uploadId, chosen);
      const etagHash = createHash("sha256");
      for (const part of chosen) etagHash.update(Buffer.from(unquote(part.etag), "hex"));
      const algorithm = upload.checksumAlgorithm;
      // S3's composite checksum is the checksum of the parts' raw checksums, "-N" (not kept for CRC32 here).
      const composite = algorithm && algorithm !== "crc32" ? createHash(algorithm) : undefined;
      for (const part of composite ? chosen : []) composite!.update(Buffer.from(part.checksums[algorithm!]!, "base64"));
      return {
        key,
        parts: chosen,
        meta: {
          size: chosen.reduce((sum, p) => sum + p.size, 0),
          etag: `"${etagHash.digest("hex").slice(0, 32)}-${chosen.length}"`,
          contentType: upload.contentType,
          metadata: upload.metadata,
          sha256,
          ...(composite
            ? { checksum: { algorithm: algorithm!, value: `${composite.digest("base64")}-${chosen.length}`, type: "COMPOSITE" as const } }
            : {}),
        },
      };
    });
    send(
      r,
      200,
      {},
      `${xmlHead}<CompleteMultipartUploadResult><Location>${xmlEscape(`/${options.bucket}/${key}`)}</Location><Bucket>${xmlEscape(options.bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(meta.etag)}</ETag></CompleteMultipartUploadResult>`,
    );
    emit(r, "CompleteMultipartUpload", meta);
  }

  async function route(r: Request) {
    const { method, key } = r;
    if (method === "OPTIONS") return preflight(r);
    const payloadHash = verifySignature(
      { method, rawPath: r.rawPath, query: r.query, headers: r.req.headers },
      options.credentials,
      options.region,
    );
    if (key === null) {
      if (method === "HEAD") return send(r, 200, { "x-amz-bucket-region": options.region });
      if (method === "PUT" && r.query.length === 0) return send(r, 200, { location: `/${options.bucket}` });
      if (method === "GET" && queryHas(r, "location"))
        return send(r, 200, {}, `${xmlHead}<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`);
      if (method === "GET") return listObjects(r);
      if (method === "POST" && queryHas(r, "delete")) return deleteObjects(r, payloadHash);
      throw new S3Error(501, "NotImplemented", "this bucket operation is not implemented by this store");
    }
    const uploadId = queryHas(r, "uploadId");
    if (method === "PUT" && uploadId) return uploadPart(r, key, payloadHash);
    if (method === "PUT" && r.req.headers["x-amz-copy-source"]) return copyObject(r, key);
    if (method === "PUT") return putObject(r, key, payloadHash);
    if (method === "POST" && queryHas(r, "uploads")) return createUpload(r, key);
    if (method === "POST" && uploadId) return completeUpload(r, key, payloadHash);
    if (method === "GET" && uploadId) return listParts(r, key);
    if (method === "DELETE" && uploadId) {
      await bucket.upload(queryValue(r, "uploadId")!, key);
      await bucket.abort(queryValue(r, "uploadId")!);
      return send(r, 204, {});
    }
    if (method === "GET" || method === "HEAD") return getObject(r, key);
    if (method === "DELETE") {
      await bucket.delete(key);
      return send(r, 204, {});
    }
    throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }

  /** Answers one request whose path starts with the store's prefix. */
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const r: Request = {
      req,
      res,
      method: req.method ?? "GET",
      rawPath,
      query: [],
      key: null,
      requestId: randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
    };
    try {
      r.query = parseQuery(q < 0 ? "" : raw.slice(q + 1));
      const path = rawPath.slice(prefix.length);
      const slash = path.indexOf("/", 1);
      const bucketName = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
      if (bucketName !== options.bucket) throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist");
      if (slash >= 0 && slash < path.length - 1) r.key = decodeURIComponent(path.slice(slash + 1));
      await route(r);
    } catch (error) {
      const s3 =
        error instanceof S3Error
          ? error
          : error instanceof URIError
            ? new S3Error(400, "InvalidURI", "Couldn't parse the specified URI.")
            : (console.error("object store: request failed", error),
              new S3Error(500, "InternalError", "We encountered an internal error. Please try again."));
      if (res.headersSent) return void res.destroy();
      // A refused upload's body is not read: close the connection after the answer instead of draining it.
      if (!req.readableEnded) res.setHeader("connection", "close");
      const resource = r.key === null ? `/${options.bucket}` : `/${options.bucket}/${r.key}`;
      send(r, s3.status, {}, r.method === "HEAD" ? undefined : errorXml(s3, resource, r.requestId));
      if (!req.readableEnded) req.resume();
    }
  }

  return { handle, bucket: options.bucket, pathPrefix: prefix, disk: bucket };
}

export type ObjectStore = Awaited<ReturnType<typeof createObjectStore>>;

/** The store on its own port (`npm run s3`, tests). */
export async function startObjectStore(options: ObjectStoreOptions & { port: number; host?: string }) {
  const store = await createObjectStore(options);
  const server = createServer((req, res) => void store.handle(req, res));
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, resolve);
  });
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}${store.pathPrefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
