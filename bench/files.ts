import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { sql } from "kysely";
import { startTestApp, type TestApp } from "@polaris/api-tests/support";
import { startServer } from "./http";
import { api, load, progress, rssMb, type Figures } from "./lib";

const MiB = 1024 * 1024;

/** Inserts `count` files into a new folder straight in SQL (one statement), all linked to one blob. */
async function seedFolder(app: TestApp, userId: number, name: string, count: number) {
  const db = app.deps.db;
  const folder = await api(app.url, "POST", "/file/v1/folder/create", { name }, (app as TestApp & { token: string }).token);
  const parent = await db.selectFrom("files").select("id").where("identity", "=", folder.identity).executeTakeFirstOrThrow();
  await sql`insert into blobs (sha256, size, object_key, ref_count) values (${"f".repeat(64)}, 1, 'bench/none', 0) on conflict do nothing`.execute(
    db,
  );
  await sql`
    insert into files (identity, user_id, parent_id, name, ext, is_dir, size, blob_sha256, mime_type)
    select gen_random_uuid(), ${userId}, ${parent.id}, 'file-' || lpad(g::text, 7, '0') || '.bin', 'bin', false, 1, ${"f".repeat(64)}, 'application/octet-stream'
    from generate_series(1, ${count}) g`.execute(db);
  await sql`update blobs set ref_count = ref_count + ${count} where sha256 = ${"f".repeat(64)}`.execute(db);
  await sql`update users set quota_used = quota_used + ${count} where id = ${userId}`.execute(db);
  await sql`analyze files`.execute(db);
  return folder.identity as string;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, Math.round(performance.now() - started)];
}

/** List latency in folders of 1k, 10k and 100k entries, and copy/trash/restore of a 10k-item folder. */
async function benchNamespace(): Promise<Figures> {
  const figures: Figures = {};
  const app = await startTestApp({ PGLITE_DIR: "memory", DEFAULT_QUOTA_BYTES: String(1024 ** 4) });
  try {
    const { token } = await app.signUp();
    const userId = (await app.deps.db.selectFrom("users").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
    const withToken = Object.assign(app, { token });
    for (const size of [1_000, 10_000, 100_000]) {
      progress(`list in a folder of ${size} entries`);
      const folder = await seedFolder(withToken, userId, `list-${size}`, size);
      Object.assign(
        figures,
        await load(
          `list_${size / 1000}k`,
          {
            url: `${app.url}/file/v1/file/list?parentId=${folder}&pageSize=50`,
            headers: { authorization: `Bearer ${token}` },
          },
          { seconds: 4 },
        ),
      );
    }
    figures.list_100k_vs_1k_p99_ratio = Math.round((figures.list_100k_p99_ms / figures.list_1k_p99_ms) * 100) / 100;

    progress("copy, trash and restore of a 10k-item folder");
    const tree = await seedFolder(withToken, userId, "tree-10k", 10_000);
    const auth = (path: string, body: unknown) => api(app.url, "POST", path, body, token);
    const target = (await auth("/file/v1/folder/create", { name: "copies" })).identity;
    [, figures.tree_copy_10k_ms] = await timed(() => auth("/file/v1/file/copy", { identities: [tree], targetId: target }));
    [, figures.tree_trash_10k_ms] = await timed(() => auth("/file/v1/file/delete", { identities: [tree] }));
    [, figures.tree_restore_10k_ms] = await timed(() => auth("/file/v1/trash/restore", { identities: [tree] }));
  } finally {
    await app.close();
  }
  return figures;
}

/** Streams `size` deterministic bytes (1 MiB blocks, each stamped with its index) into `sink`, hashing as it goes. */
function content(size: number) {
  const base = randomBytes(MiB);
  return {
    size,
    *blocks(from = 0, to = size) {
      for (let offset = from; offset < to; offset += MiB) {
        const block = Buffer.from(base);
        block.writeBigUInt64BE(BigInt(offset / MiB));
        yield block.subarray(0, Math.min(MiB, to - offset));
      }
    },
    sha256() {
      const hash = createHash("sha256");
      for (const block of this.blocks()) hash.update(block);
      return hash.digest();
    },
  };
}

/** PUTs a byte range to a URL without buffering it; returns the ETag. */
function put(url: string, blocks: Iterable<Buffer>, length: number, headers: Record<string, string> = {}) {
  return new Promise<string>((resolve, reject) => {
    const req = request(url, { method: "PUT", headers: { ...headers, "content-length": String(length) } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(String(res.headers.etag)) : reject(new Error(`PUT ${res.statusCode}`))));
    });
    req.on("error", reject);
    (async () => {
      for (const block of blocks) if (!req.write(block)) await new Promise((r) => req.once("drain", r));
      req.end();
    })().catch(reject);
  });
}

/**
 * A 1 GiB upload through presigned multipart URLs (4 parts in flight, like the console) against a
 * raw PUT of the same bytes to the same S3 endpoint, and the server's memory while upload-created
 * verifies the object by streaming it.
 */
async function benchBigUpload(): Promise<Figures> {
  const size = 1024 * MiB;
  const server = await startServer({ PGLITE_DIR: "memory", MULTIPART_PART_SIZE_BYTES: String(64 * MiB) });
  const figures: Figures = {};
  try {
    const data = content(size);
    const hash = data.sha256();
    const { accessToken: token } = await api(server.url, "POST", "/usercenter/v1/user/register", {
      mobile: "13900000009",
      password: "bench-password",
    });
    const plan = await api(server.url, "POST", "/file/v1/upload/presign", { hash: hash.toString("hex"), size, name: "big.bin" }, token);
    const bucketUrl = new URL(plan.parts[0].url);
    const rawUrl = `${bucketUrl.origin}${bucketUrl.pathname.split("/").slice(0, 2).join("/")}/bench/raw-${Date.now()}`;

    progress("1 GiB raw PUT");
    const [, rawMs] = await timed(() => put(rawUrl, data.blocks(), size));
    progress("1 GiB multipart through presigned URLs");
    const queue = [...plan.parts] as { partNumber: number; url: string }[];
    const etags: { partNumber: number; etag: string }[] = [];
    const [, multipartMs] = await timed(() =>
      Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let part = queue.shift(); part; part = queue.shift()) {
            const from = (part.partNumber - 1) * plan.partSize;
            const to = Math.min(size, from + plan.partSize);
            etags.push({ partNumber: part.partNumber, etag: await put(part.url, data.blocks(from, to), to - from) });
          }
        }),
      ),
    );
    const idle = rssMb(server.pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 100);
    progress("callback: complete and verify 1 GiB by streaming it");
    const [, verifyMs] = await timed(() =>
      api(server.url, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey, parts: etags }, token),
    );
    clearInterval(sampler);
    Object.assign(figures, {
      upload_1gib_raw_put_ms: rawMs,
      upload_1gib_multipart_ms: multipartMs,
      upload_1gib_multipart_vs_raw_ratio: Math.round((rawMs / multipartMs) * 100) / 100,
      upload_1gib_complete_and_verify_ms: verifyMs,
      upload_1gib_end_to_end_vs_raw_ratio: Math.round((rawMs / (multipartMs + verifyMs)) * 100) / 100,
      upload_verify_rss_before_mb: idle,
      upload_verify_rss_peak_above_mb: peak - idle,
    });
  } finally {
    await server.stop();
  }
  return figures;
}

export async function benchFiles(): Promise<Figures> {
  return { ...(await benchNamespace()), ...(await benchBigUpload()) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchFiles());
