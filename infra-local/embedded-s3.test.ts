import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_S3_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from "./embedded-s3";

describe("embedded S3", () => {
  const directory = mkdtempSync(join(tmpdir(), "polaris-s3-"));
  const events: string[] = [];
  let s3: EmbeddedS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startEmbeddedS3({ directory, bucket: "drive", port: 0, onEvent: (body) => events.push(body) });
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: "us-east-1", credentials: EMBEDDED_S3_CREDENTIALS });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("answers every PUT while other keys of the same prefix are deleted", async () => {
    const put = (key: string) => client.send(new PutObjectCommand({ Bucket: "drive", Key: key, Body: `bytes of ${key}` }));
    const rounds = 100;
    const users = ["u1", "u2", "u3", "u4"];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(users.map((user) => put(`uploads/${user}/${round}-a`)));
      // Deleting a prefix's only object empties its directory while the next PUT writes into it.
      await Promise.all(users.flatMap((user) => [client.send(new DeleteObjectCommand({ Bucket: "drive", Key: `uploads/${user}/${round}-a` })), put(`uploads/${user}/${round}-b`)]));
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "drive", Prefix: "uploads/" }));
    expect(listed.Contents).toHaveLength(rounds * users.length);
    expect(listed.Contents!.every((o) => o.Key!.endsWith("-b"))).toBe(true);
    await expect.poll(() => events.filter((e) => e.includes("ObjectCreated")).length).toBe(2 * rounds * users.length);
  });
});
