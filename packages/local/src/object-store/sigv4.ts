import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { S3Error } from "./errors";

/**
 * AWS Signature Version 4 as S3 checks it, in the Authorization header or in a presigned query.
 * Written here rather than through @smithy/signature-v4 because that package signs (it builds the
 * canonical request from a request it then rewrites); verifying needs the canonical request built
 * from the bytes exactly as they arrived: the raw path, the raw query, the named headers only.
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded), prefix included. */
  rawPath: string;
  /** Query pairs decoded once, in arrival order. */
  query: [string, string][];
  headers: IncomingHttpHeaders;
}

/** What the signature covered about the body: a hex SHA-256, UNSIGNED-PAYLOAD or a streaming mode. */
export type PayloadHash = string;

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const MAX_SKEW_MS = 15 * 60 * 1000;

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
const uriEncode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Splits a raw query string without URLSearchParams' `+`-as-space rule, which SigV4 does not have. */
export function parseQuery(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf("=");
      const [k, v] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
      try {
        return [decodeURIComponent(k), decodeURIComponent(v)];
      } catch {
        throw new S3Error(400, "InvalidArgument", "the query string is not valid percent-encoding");
      }
    });
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** `20261201T204056Z` → Date, or null. */
function parseAmzDate(value: string | undefined): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? null : date;
}

const headerValue = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(",") : (value ?? "")).trim().replace(/\s+/g, " ");
};

function canonicalRequest(req: SignedRequest, signedHeaders: string[], payloadHash: string, dropSignature: boolean) {
  const query = req.query
    .filter(([k]) => !(dropSignature && k === "X-Amz-Signature"))
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const headers = signedHeaders.map((name) => `${name}:${headerValue(req.headers, name)}\n`).join("");
  return [req.method, req.rawPath, query, headers, signedHeaders.join(";"), payloadHash].join("\n");
}

interface Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(value: string): Scope {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request")
    throw new S3Error(400, "AuthorizationHeaderMalformed", "the credential scope is malformed");
  return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
}

/**
 * Checks the request's signature; returns the payload hash it covers (the body check is the
 * caller's, once the body has streamed through). Throws the S3 error S3 would answer.
 */
export function verifySignature(req: SignedRequest, credentials: Credentials, region: string, now = new Date()): PayloadHash {
  const authorization = headerValue(req.headers, "authorization");
  const queryValue = (name: string) => req.query.find(([k]) => k === name)?.[1];
  const presigned = queryValue("X-Amz-Algorithm") !== undefined || queryValue("X-Amz-Signature") !== undefined;

  let scope: Scope;
  let signedHeaders: string[];
  let signature: string;
  let amzDate: string | undefined;
  let payloadHash: string;
  if (authorization) {
    if (presigned) throw new S3Error(400, "InvalidArgument", "only one auth mechanism allowed");
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(authorization);
    if (!m) throw new S3Error(400, "AuthorizationHeaderMalformed", "the authorization header is malformed");
    scope = parseCredential(m[1]);
    signedHeaders = m[2].split(";");
    signature = m[3];
    amzDate = headerValue(req.headers, "x-amz-date") || undefined;
    payloadHash = headerValue(req.headers, "x-amz-content-sha256");
    if (!payloadHash) throw new S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    const date = parseAmzDate(amzDate);
    if (!date) throw new S3Error(403, "AccessDenied", "AWS authentication requires a valid x-amz-date header");
    if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS)
      throw new S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
  } else if (presigned) {
    if (queryValue("X-Amz-Algorithm") !== ALGORITHM)
      throw new S3Error(400, "AuthorizationQueryParametersError", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    const credential = queryValue("X-Amz-Credential");
    const headersParam = queryValue("X-Amz-SignedHeaders");
    const signatureParam = queryValue("X-Amz-Signature");
    const expires = Number(queryValue("X-Amz-Expires"));
    amzDate = queryValue("X-Amz-Date");
    const date = parseAmzDate(amzDate);
    if (!credential || !headersParam || !signatureParam || !date || !Number.isInteger(expires)) {
      throw new S3Error(
        400,
        "AuthorizationQueryParametersError",
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      );
    }
    if (expires < 1 || expires > MAX_PRESIGN_SECONDS)
      throw new S3Error(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds");
    if (now.getTime() > date.getTime() + expires * 1000) throw new S3Error(403, "AccessDenied", "Request has expired");
    if (date.getTime() - now.getTime() > MAX_SKEW_MS) throw new S3Error(403, "AccessDenied", "Request is not valid yet");
    scope = parseCredential(credential);
    signedHeaders = headersParam.split(";");
    signature = signatureParam;
    payloadHash = queryValue("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD";
  } else {
    throw new S3Error(403, "AccessDenied", "Access Denied");
  }

  if (scope.accessKeyId !== credentials.accessKeyId)
    throw new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  if (scope.service !== "s3" || scope.region !== region || scope.date !== amzDate!.slice(0, 8)) {
    throw new S3Error(400, "AuthorizationHeaderMalformed", `the credential scope must be <date>/${region}/s3/aws4_request for this date`);
  }
  if (
    !signedHeaders.includes("host") ||
    signedHeaders.some((h) => h !== h.toLowerCase()) ||
    [...signedHeaders].sort().join(";") !== signedHeaders.join(";")
  ) {
    throw new S3Error(400, "AuthorizationHeaderMalformed", "SignedHeaders must be sorted, lower-case and include host");
  }
  // S3 refuses x-amz-* headers that are present but not signed (apart from a few it lists).
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith("x-amz-") && !signedHeaders.includes(h));
  if (presigned && unsigned.length)
    throw new S3Error(403, "AccessDenied", `There were headers present in the request which were not signed: ${unsigned.join(", ")}`);

  const canonical = canonicalRequest(req, signedHeaders, payloadHash, presigned);
  const scopeString = `${scope.date}/${scope.region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scopeString, sha256Hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, scope.date), scope.region), "s3"), "aws4_request");
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new S3Error(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return payloadHash;
}
