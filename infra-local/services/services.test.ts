// Checks the local services against the running processes: `up` installs/starts what is missing
// (a cold install can take minutes), then each service is used the way the app uses it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { externalAwsEndpoint } from "./aws";
import { status, up, type Endpoints } from "./index";
import { awsClientConfig, resourceEnv, RESOURCES } from "./resources";

const COLD_START_TIMEOUT = 25 * 60_000;
let endpoints: Endpoints;
let env: Record<string, string>;

beforeAll(async () => {
  endpoints = await up(["postgres", "aws", "opensearch"], { log: (l) => console.log(l) });
  env = resourceEnv(endpoints);
}, COLD_START_TIMEOUT);

describe("local services", () => {
  it("up is idempotent and status says running", async () => {
    const again = await up(["postgres", "aws", "opensearch"]);
    expect(again).toEqual(endpoints);
    const s = await status();
    expect(s.postgres).toBe("running");
    expect(s.opensearch).toBe("running");
    if (!externalAwsEndpoint()) expect(s.aws).toBe("running"); // status() reports our own moto only
  }, 120_000);

  it("resourceEnv names everything an app process needs", () => {
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: endpoints.aws!.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      S3_BUCKET: "polaris-files",
      S3_FORCE_PATH_STYLE: "true",
      EVENT_BUS_NAME: "polaris-bus",
      SCHEDULE_GROUP: "polaris-jobs",
      KV_TABLE: "polaris-kv",
      DATABASE_URL: endpoints.postgres!.url,
      OPENSEARCH_URL: endpoints.opensearch!.url,
    });
    expect(env.UPLOAD_EVENTS_QUEUE_URL).toMatch(/\/polaris-upload-events$/);
    expect(env.INDEX_QUEUE_URL).toMatch(/\/polaris-index$/);
  });
});

describe("postgres", () => {
  it("answers select 1 as polaris and may create databases", async () => {
    const client = new pg.Client({ connectionString: endpoints.postgres!.url });
    await client.connect();
    try {
      const r = await client.query("select 1 as one, current_user as who");
      expect(r.rows[0]).toEqual({ one: 1, who: "polaris" });
      const db = `polaris_svc_test_${randomUUID().slice(0, 8)}`;
      await client.query(`create database ${db}`);
      await client.query(`drop database ${db}`);
    } finally {
      await client.end();
    }
  });
});

describe("aws (moto)", () => {
  const aws = () => awsClientConfig(endpoints.aws!);
  let s3: S3Client;
  let sqs: SQSClient;

  beforeAll(() => {
    s3 = new S3Client({ ...aws(), forcePathStyle: true });
    sqs = new SQSClient(aws());
  });
  afterAll(() => {
    s3?.destroy();
    sqs?.destroy();
  });

  /** Receives until `match` finds a message (deleting it); other messages are put back at once. */
  async function receiveMatching(queueUrl: string, match: (body: any) => boolean, timeoutMs = 20_000): Promise<any> {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      let found: any;
      for (const m of r.Messages ?? ([] as Message[])) {
        const body = JSON.parse(m.Body ?? "null");
        if (found === undefined && match(body)) {
          found = body;
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
        } else {
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
        }
      }
      if (found !== undefined) return found;
    }
    throw new Error(`no matching message on ${queueUrl} within ${timeoutMs} ms`);
  }

  /** S3 event keys are form-encoded (space as '+', '/' as %2F): decode as the S3 event spec says. */
  const decodeS3Key = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

  it("a PUT into polaris-files puts an ObjectCreated record on polaris-upload-events", async () => {
    const key = `uploads/${randomUUID()}/my report (final).txt`;
    await s3.send(new PutObjectCommand({ Bucket: RESOURCES.bucket, Key: key, Body: "hello", ContentType: "text/plain" }));
    const event = await receiveMatching(env.UPLOAD_EVENTS_QUEUE_URL, (b) =>
      (b?.Records ?? []).some((r: any) => decodeS3Key(r.s3.object.key) === key),
    );
    const record = event.Records.find((r: any) => decodeS3Key(r.s3.object.key) === key);
    expect(record.eventName).toMatch(/^ObjectCreated:/);
    expect(record.s3.bucket.name).toBe(RESOURCES.bucket);
    expect(record.s3.object.size).toBe(5);
    expect(record.s3.object.key).not.toContain(" "); // really encoded, and decoded above
    await s3.send(new DeleteObjectCommand({ Bucket: RESOURCES.bucket, Key: key }));
  });

  it("the s3:TestEvent from setting the notification was drained", async () => {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: env.UPLOAD_EVENTS_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const m of r.Messages ?? []) {
      expect(JSON.parse(m.Body ?? "{}").Event).not.toBe("s3:TestEvent");
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: env.UPLOAD_EVENTS_QUEUE_URL,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      );
    }
  });

  // Our moto runs with S3_UPLOAD_PART_MIN_SIZE=1 MiB; an external endpoint (LocalStack) is not ours to configure.
  it.skipIf(externalAwsEndpoint() !== undefined)("accepts 1 MiB multipart parts (S3_UPLOAD_PART_MIN_SIZE)", async () => {
    const key = `uploads/multipart-${randomUUID()}.bin`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: RESOURCES.bucket, Key: key }));
    const parts = [];
    for (const [i, size] of [1024 * 1024, 1024 * 1024, 1000].entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: RESOURCES.bucket, Key: key, UploadId, PartNumber: i + 1, Body: Buffer.alloc(size, i) }),
      );
      parts.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: RESOURCES.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    // moto sends ObjectCreated:Put and ObjectCreated:CompleteMultipartUpload: consume what arrives
    await receiveMatching(env.UPLOAD_EVENTS_QUEUE_URL, (b) => (b?.Records ?? []).some((r: any) => decodeS3Key(r.s3.object.key) === key));
    await s3.send(new DeleteObjectCommand({ Bucket: RESOURCES.bucket, Key: key }));
  });

  it("answers a browser CORS preflight for a PUT with x-amz-checksum-sha256", async () => {
    const res = await fetch(`${endpoints.aws!.endpoint}/${RESOURCES.bucket}/some/key.txt`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:5173",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type,x-amz-checksum-sha256",
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(res.headers.get("access-control-allow-methods") ?? "").toContain("PUT");
  });

  it("an EventBridge event with source polaris arrives on polaris-index", async () => {
    const events = new EventBridgeClient(aws());
    try {
      const id = randomUUID();
      const r = await events.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: RESOURCES.eventBus, Source: "polaris", DetailType: "file.created", Detail: JSON.stringify({ id }) }],
        }),
      );
      expect(r.FailedEntryCount ?? 0).toBe(0);
      const event = await receiveMatching(env.INDEX_QUEUE_URL, (b) => b?.detail?.id === id);
      expect(event.source).toBe("polaris");
      expect(event["detail-type"]).toBe("file.created");
    } finally {
      events.destroy();
    }
  });

  it("the schedule group exists", async () => {
    const scheduler = new SchedulerClient(aws());
    try {
      const g = await scheduler.send(new GetScheduleGroupCommand({ Name: RESOURCES.scheduleGroup }));
      expect(g.Name).toBe(RESOURCES.scheduleGroup);
    } finally {
      scheduler.destroy();
    }
  });

  it("a DynamoDB conditional put on polaris-kv succeeds once, then fails", async () => {
    const ddb = new DynamoDBClient(aws());
    try {
      const pk = `svc-test#${randomUUID()}`;
      const put = () =>
        ddb.send(
          new PutItemCommand({
            TableName: RESOURCES.kvTable,
            Item: { pk: { S: pk }, v: { S: "1" }, expiresAt: { N: String(Math.floor(Date.now() / 1000) + 60) } },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      await put();
      await expect(put()).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
    } finally {
      ddb.destroy();
    }
  });
});

describe("opensearch", () => {
  const os = (path: string, init?: RequestInit) =>
    fetch(`${endpoints.opensearch!.url}${path}`, { ...init, headers: { "content-type": "application/json", ...(init?.headers ?? {}) } });
  const index = `polaris-services-test-${randomUUID().slice(0, 8)}`;

  afterAll(async () => {
    if (endpoints?.opensearch) await os(`/${index}`, { method: "DELETE" }).catch(() => {});
  });

  it("finds 年度报告2025.pdf by 报告 with an ngram analyzer (analysis-common)", async () => {
    const created = await os(`/${index}`, {
      method: "PUT",
      body: JSON.stringify({
        settings: {
          number_of_shards: 1,
          number_of_replicas: 0,
          "index.max_ngram_diff": 1,
          analysis: {
            tokenizer: { name_ngram: { type: "ngram", min_gram: 1, max_gram: 2, token_chars: [] } },
            analyzer: { name_ngram: { type: "custom", tokenizer: "name_ngram", filter: ["lowercase"] } },
          },
        },
        mappings: { properties: { name: { type: "text", analyzer: "name_ngram" } } },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(200);

    const analyzed = (await (
      await os(`/${index}/_analyze`, { method: "POST", body: JSON.stringify({ analyzer: "name_ngram", text: "报告" }) })
    ).json()) as any;
    expect(analyzed.tokens.map((t: any) => t.token)).toEqual(["报", "报告", "告"]);

    for (const name of ["年度报告2025.pdf", "季度总结.docx", "photo.jpg"]) {
      const r = await os(`/${index}/_doc?refresh=true`, { method: "POST", body: JSON.stringify({ name }) });
      expect(r.status).toBe(201);
    }
    const search = async (q: string) =>
      (
        (await (
          await os(`/${index}/_search`, {
            method: "POST",
            body: JSON.stringify({ query: { match: { name: { query: q, operator: "and" } } } }),
          })
        ).json()) as any
      ).hits.hits.map((h: any) => h._source.name);
    expect(await search("报告")).toEqual(["年度报告2025.pdf"]);
    expect(await search("2025")).toEqual(["年度报告2025.pdf"]);
    expect(await search("总结")).toEqual(["季度总结.docx"]);
  });
});
