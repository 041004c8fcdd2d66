import { createHash } from "node:crypto";
import type { TestApp } from "./app";

export const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

/** Deterministic pseudo-random bytes, so content is distinct per seed. */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export interface UploadOptions {
  name?: string;
  parentId?: string;
  /** Bytes actually sent, when a test lies about the content. */
  sendBytes?: Buffer;
  mimeType?: string;
  onConflict?: "rename" | "version" | "fail";
}

/** S3's error code from an XML error body. */
const s3ErrorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

/**
 * The whole browser-style single or multipart upload: presign, PUT to storage, callback. A PUT the
 * store refuses (a checking store refuses bytes that do not match the signed checksum or length)
 * ends it there: `refused` holds the store's answer and there is no callback.
 */
export async function upload(app: TestApp, token: string, content: Buffer, options: UploadOptions = {}) {
  const presign = await app.call("POST", "/file/v1/upload/presign", {
    token,
    body: {
      hash: sha256(content),
      size: content.length,
      name: options.name ?? `file-${sha256(content).slice(0, 8)}.bin`,
      parentId: options.parentId,
      mimeType: options.mimeType,
      onConflict: options.onConflict,
    },
  });
  if (presign.status !== 200) return { presign, refused: undefined, callback: undefined };
  const plan = presign.body.data;
  const sent = options.sendBytes ?? content;
  let parts: { partNumber: number; etag: string }[] | undefined;
  if (plan.mode === "single") {
    const put = await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: sent });
    if (!put.ok) return { presign, refused: { status: put.status, code: s3ErrorCode(await put.text()) }, callback: undefined };
  } else {
    parts = [];
    for (const part of plan.parts) {
      const slice = sent.subarray((part.partNumber - 1) * plan.partSize, part.partNumber * plan.partSize);
      const put = await fetch(part.url, { method: "PUT", body: slice });
      if (!put.ok) throw new Error(`part PUT failed: ${put.status}`);
      parts.push({ partNumber: part.partNumber, etag: put.headers.get("etag")! });
    }
  }
  const callback = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: plan.uploadKey, parts } });
  return { presign, refused: undefined, callback };
}

/** Uploads and returns the created file's identity, failing loudly otherwise. */
export async function uploadFile(app: TestApp, token: string, content: Buffer, options: UploadOptions = {}) {
  const { presign, callback } = await upload(app, token, content, options);
  if (callback?.status !== 200) throw new Error(`upload failed: ${JSON.stringify(presign.body)} ${JSON.stringify(callback?.body)}`);
  return callback.body.data.identity as string;
}

export async function createFolder(app: TestApp, token: string, name: string, parentId?: string) {
  const res = await app.call("POST", "/file/v1/folder/create", { token, body: { name, parentId } });
  if (res.status !== 200) throw new Error(`folder create failed: ${JSON.stringify(res.body)}`);
  return res.body.data.identity as string;
}

export async function listNames(app: TestApp, token: string, parentId?: string) {
  const res = await app.call("GET", "/file/v1/file/list", { token, query: { parentId, pageSize: 1000 } });
  return (res.body.data.list as { name: string }[]).map((f) => f.name);
}

export async function quota(app: TestApp, token: string) {
  return (await app.call("GET", "/usercenter/v1/user/quota", { token })).body.data as {
    totalSize: number;
    usedSize: number;
    reservedSize: number;
  };
}

/** What an instant upload's challenge asks for: SHA-256 of its nonce and the challenged bytes. */
export const possessionProof = (content: Buffer, { offset, length, nonce }: { offset: number; length: number; nonce: string }) =>
  createHash("sha256")
    .update(nonce, "utf8")
    .update(content.subarray(offset, offset + length))
    .digest("hex");

/** Instant upload of `content` with its proof of possession: the final answer (or the first, if it asked for no proof). */
export async function instantUpload(app: TestApp, token: string, content: Buffer, body: Record<string, unknown>) {
  const ask = { hash: sha256(content), size: content.length, ...body };
  const first = await app.call("POST", "/file/v1/upload/instant", { token, body: ask });
  if (first.status !== 200 || !first.body.data.challenge) return first;
  return app.call("POST", "/file/v1/upload/instant", {
    token,
    body: { ...ask, proof: possessionProof(content, first.body.data.challenge) },
  });
}
