import { createReadStream } from "node:fs";
import { readdir, readFile, rename, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { receiveBody } from "./body";
import { etagOf, type DiskBucket } from "./disk";

const OBJECT_SUFFIX = "._S3rver_object";

async function* objectFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* objectFiles(path);
    else if (entry.name.endsWith(OBJECT_SUFFIX)) yield path;
  }
}

/**
 * Drives made before this store kept their objects in s3rver's layout under `<home>/s3/<bucket>`:
 * each object is imported once (hashed as it is read, like any PUT), then the old folder is
 * renamed to `s3.imported` so nothing is lost and nothing is imported twice.
 */
export async function importS3rverData(oldRoot: string, bucket: DiskBucket) {
  const dir = join(oldRoot, bucket.name);
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return 0;
  let count = 0;
  for await (const file of objectFiles(dir)) {
    const key = relative(dir, file).slice(0, -OBJECT_SUFFIX.length).split(sep).join("/");
    const size = (await stat(file)).size;
    const metadata = JSON.parse(await readFile(`${file.slice(0, -"object".length)}metadata.json`, "utf8").catch(() => "{}")) as Record<
      string,
      string
    >;
    const temp = bucket.tempFile();
    const received = await receiveBody(createReadStream(file), temp, { length: size, chunked: false, declared: {}, compute: [] });
    await bucket.commit(
      key,
      {
        size,
        etag: etagOf(received.sha256),
        contentType: metadata["content-type"] ?? "binary/octet-stream",
        metadata: {},
        sha256: received.sha256,
      },
      [{ path: temp, size }],
    );
    count++;
  }
  await rename(oldRoot, `${oldRoot}.imported`);
  console.log(`object store: imported ${count} objects from ${oldRoot} (kept as ${oldRoot}.imported)`);
  return count;
}
