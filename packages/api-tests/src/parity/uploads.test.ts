// Uploads on the parity profile complete through the real path: the presigned PUT lands in the
// bucket, S3 notifies the upload-events queue, the dispatcher hands the batch to upload-created.
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsClientConfig } from "@polaris/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, listNames, quota, sha256, startTestApp, type TestApp } from "../support";
import { resourceEnv, up } from "@polaris/infra-local/services";

let app: TestApp;
let sqs: SQSClient;
let uploadQueueUrl: string;
beforeAll(async () => {
  app = await startTestApp({}, undefined, "parity");
  sqs = new SQSClient(awsClientConfig(app.deps.config));
  uploadQueueUrl = resourceEnv(await up(["aws"])).UPLOAD_EVENTS_QUEUE_URL;
});
afterAll(async () => {
  sqs?.destroy();
  await app?.close();
});

/** Presigns and PUTs the bytes as a browser would, and never calls back. */
async function putOnly(token: string, content: Buffer, name: string) {
  const presign = await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(content), size: content.length, name } });
  expect(presign.body.data.mode).toBe("single");
  const put = await fetch(presign.body.data.uploadUrl, { method: "PUT", headers: presign.body.data.headers, body: content });
  expect(put.status).toBe(200);
  return app.deps.db.selectFrom("uploads").selectAll().where("upload_key", "=", presign.body.data.uploadKey).executeTakeFirstOrThrow();
}

/** The S3 event record for an object, as S3 (and moto) put it on the queue: the key form-encoded. */
const s3Record = (key: string, size: number) => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  awsRegion: app.deps.config.AWS_REGION,
  eventTime: new Date().toISOString(),
  eventName: "ObjectCreated:Put",
  s3: {
    s3SchemaVersion: "1.0",
    bucket: { name: app.deps.config.S3_BUCKET, arn: `arn:aws:s3:::${app.deps.config.S3_BUCKET}` },
    object: { key: new URLSearchParams({ k: key }).toString().slice(2), size },
  },
});

async function sendToUploadQueue(bodies: unknown[]) {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: uploadQueueUrl,
      Entries: bodies.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) })),
    }),
  );
  expect(out.Failed ?? []).toEqual([]);
}

const filesOf = (hash: string) => app.deps.db.selectFrom("files").select(["identity", "status"]).where("blob_sha256", "=", hash).execute();

describe("uploads through S3 notifications", () => {
  it("creates the file from the notification alone, with no callback", async () => {
    const { token } = await app.signUp();
    const content = bytes(4321, 71);
    const upload = await putOnly(token, content, "只有通知 1.txt");
    await app.background.idle();
    expect(await listNames(app, token)).toEqual(["只有通知 1.txt"]);
    const row = await app.deps.db.selectFrom("uploads").select(["status", "file_id"]).where("id", "=", upload.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("completed");
    expect(await quota(app, token)).toMatchObject({ usedSize: 4321, reservedSize: 0 });
    // The client's callback afterwards only confirms.
    const callback = await app.call("POST", "/file/v1/upload/callback", { token, body: { uploadKey: upload.upload_key } });
    expect(callback.body.data.file).toMatchObject({ name: "只有通知 1.txt", size: 4321 });
    expect((await filesOf(sha256(content))).length).toBe(1);
  });

  it("turns duplicate and out-of-order deliveries of the same events into one file each", async () => {
    const { token } = await app.signUp();
    const a = bytes(1500, 72);
    const b = bytes(2500, 73);
    const first = await putOnly(token, a, "a.bin");
    const second = await putOnly(token, b, "b.bin");
    const eventA = { Records: [s3Record(first.object_key, a.length)] };
    const eventB = { Records: [s3Record(second.object_key, b.length)] };
    // Beside the notifications S3 sent: B before A, each again, and one body repeating A's record.
    await sendToUploadQueue([eventB, eventA, eventB, { Records: [eventA.Records[0], eventA.Records[0]] }]);
    await app.background.idle();
    expect((await listNames(app, token)).sort()).toEqual(["a.bin", "b.bin"]);
    expect(await filesOf(sha256(a))).toHaveLength(1);
    expect(await filesOf(sha256(b))).toHaveLength(1);
    expect(await quota(app, token)).toMatchObject({ usedSize: 4000, reservedSize: 0 });
    const created = await app.deps.db.selectFrom("outbox").select("payload").where("type", "=", "file.created").execute();
    const fileIds = created.flatMap((e) => (e.payload as { fileIds: number[] }).fileIds);
    const rows = await app.deps.db.selectFrom("uploads").select("file_id").where("id", "in", [first.id, second.id]).execute();
    for (const { file_id } of rows) expect(fileIds.filter((id) => id === file_id)).toHaveLength(1);

    // A notification arriving after the user trashed the file brings nothing back.
    const [fileA] = await filesOf(sha256(a));
    await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [fileA.identity] } });
    await sendToUploadQueue([eventA]);
    await app.background.idle();
    expect(await listNames(app, token)).toEqual(["b.bin"]);
    expect(await filesOf(sha256(a))).toEqual([{ identity: fileA.identity, status: "trashed" }]);
  });
});
