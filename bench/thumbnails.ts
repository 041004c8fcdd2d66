import { createHash } from "node:crypto";
import sharp from "sharp";
import { createSharpThumbnailer } from "@polaris/adapters/sharp-thumbnailer";
import { Thumbnails } from "@polaris/core";
import { startTestApp } from "@polaris/api-tests/support/app";
import { uploadFile } from "@polaris/api-tests/support/files";
import { startServer } from "./http";
import { api, attempt, load, progress, type Figures } from "./lib";

/** Photos as a camera's would be to decode: 1600×1200 JPEG with noise (~1 MB each), each distinct. */
const photo = (seed: number) =>
  sharp({
    create: {
      width: 1600,
      height: 1200,
      channels: 3,
      background: { r: seed % 256, g: (seed * 7) % 256, b: 120 },
      noise: { type: "gaussian", mean: 110, sigma: 40 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer();

/**
 * Thumbnails per second of the consumer's use case (Thumbnails.generate over blobs already stored:
 * read, hash, decode, resize, WebP, write, record) one at a time and two at a time (the machine's
 * cores); then the list of a folder of 100 images with thumbnail URLs beside one of 100 text files
 * without, at 50 clients (`thumbnails_list_with_p99_ms`, `…_without_…`, and their ratio).
 */
export async function benchThumbnails(): Promise<Figures> {
  const figures: Figures = {};
  Object.assign(figures, await attempt("thumbnails_rate", rate));
  Object.assign(figures, await attempt("thumbnails_list", listWithThumbnails));
  return figures;
}

async function rate(): Promise<Figures> {
  const app = await startTestApp({ LOG_LEVEL: "SILENT" });
  try {
    const { token } = await app.signUp();
    const count = 24;
    progress(`uploading ${count} photos of 1600×1200`);
    for (let i = 0; i < count; i++) await uploadFile(app, token, await photo(i), { name: `photo-${i}.jpg`, mimeType: "image/jpeg" });
    await app.background.idle();
    const blobs = await app.deps.db.selectFrom("blobs").select(["object_key", "size"]).execute();
    const thumbnailer = createSharpThumbnailer();
    const figures: Figures = { thumbnails_source_kb: Math.round(blobs.reduce((s, b) => s + Number(b.size), 0) / blobs.length / 1024) };
    for (const parallel of [1, 2]) {
      await app.deps.db.deleteFrom("thumbnails").execute();
      progress(`thumbnails of ${blobs.length} photos, ${parallel} at a time`);
      const queue = [...blobs];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          for (let blob = queue.shift(); blob; blob = queue.shift()) {
            const outcome = await Thumbnails.generate(app.deps, thumbnailer, blob.object_key);
            if (outcome !== "made") throw new Error(`thumbnail of ${blob.object_key}: ${outcome}`);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      figures[`thumbnails_per_s_c${parallel}`] = Math.round((blobs.length / seconds) * 10) / 10;
    }
    return figures;
  } finally {
    await app.close();
  }
}

async function listWithThumbnails(): Promise<Figures> {
  const server = await startServer();
  const figures: Figures = {};
  try {
    const base = server.url;
    const { accessToken: token } = await api(base, "POST", "/usercenter/v1/user/register", {
      mobile: `1${String(Date.now()).slice(-10)}`,
      password: "bench-password",
    });
    const upload = async (content: Buffer, name: string, mimeType: string, parentId: string) => {
      const hash = createHash("sha256").update(content).digest("hex");
      const plan = await api(base, "POST", "/file/v1/upload/presign", { hash, size: content.length, name, mimeType, parentId }, token);
      await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content });
      await api(base, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey }, token);
    };
    const images = await api(base, "POST", "/file/v1/folder/create", { name: "images" }, token);
    const texts = await api(base, "POST", "/file/v1/folder/create", { name: "texts" }, token);
    progress("100 images and 100 text files");
    for (let i = 0; i < 100; i++) {
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: i, g: 255 - i, b: (i * 5) % 256 } } })
        .png()
        .toBuffer();
      await upload(png, `image-${i}.png`, "image/png", images.identity);
      await upload(Buffer.from(`text file ${i}\n`), `text-${i}.txt`, "text/plain", texts.identity);
    }
    // The thumbnails are made by the server's background; wait until the list shows all of them.
    const listOf = (folder: string) => `/file/v1/file/list?parentId=${folder}&pageSize=100`;
    for (let tries = 0; ; tries++) {
      const { list } = await api(base, "GET", listOf(images.identity), undefined, token);
      if ((list as { thumbnailUrl?: string }[]).filter((f) => f.thumbnailUrl).length === 100) break;
      if (tries > 300) throw new Error("the thumbnails of 100 images were not made within 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    const headers = { authorization: `Bearer ${token}` };
    for (const [name, folder] of [
      ["thumbnails_list_with", images.identity],
      ["thumbnails_list_without", texts.identity],
    ] as const) {
      progress(`${name} at 50 connections`);
      Object.assign(figures, await load(name, { url: base + listOf(folder), headers }, { pid: server.pid }));
    }
    figures.thumbnails_list_p99_with_vs_without =
      Math.round((figures.thumbnails_list_with_p99_ms! / figures.thumbnails_list_without_p99_ms!) * 100) / 100;
  } finally {
    await server.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchThumbnails());
