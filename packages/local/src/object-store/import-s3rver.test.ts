import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterAll, expect, it } from "vitest";
import { DiskBucket } from "./disk";
import { importS3rverData } from "./import-s3rver";

const home = mkdtempSync(join(tmpdir(), "polaris-import-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

it("imports a drive's objects from s3rver's layout once, keeping the old folder aside", async () => {
  const old = join(home, "s3", "polaris-files");
  mkdirSync(join(old, "uploads", "7"), { recursive: true });
  writeFileSync(join(old, "uploads", "7", "报告 1.txt._S3rver_object"), "hello");
  writeFileSync(join(old, "uploads", "7", "报告 1.txt._S3rver_metadata.json"), JSON.stringify({ "content-type": "text/plain" }));
  const bucket = new DiskBucket(join(home, "objects"), "polaris-files");
  await bucket.init();

  expect(await importS3rverData(join(home, "s3"), bucket)).toBe(1);
  const meta = await bucket.head("uploads/7/报告 1.txt");
  expect(meta).toMatchObject({ size: 5, contentType: "text/plain" });
  expect(await text(await bucket.openRead(meta!))).toBe("hello");
  expect(existsSync(join(home, "s3"))).toBe(false);
  expect(existsSync(join(home, "s3.imported", "polaris-files"))).toBe(true);
  expect(await importS3rverData(join(home, "s3"), bucket)).toBe(0);
});
