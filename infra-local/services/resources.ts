// The AWS resources the app expects, their names, idempotent provisioning against an
// S3/SQS/EventBridge/Scheduler/DynamoDB endpoint (moto's server here, LocalStack works unchanged),
// and the environment an app process needs to use them.
import { Uploads } from "@polaris/core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { CreateEventBusCommand, DescribeEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleGroupCommand, GetScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import type { Endpoints } from "./index";
import { polarisDir } from "./util";

/** Resource names, shared by provisioning, the app's env and the tests. */
export const RESOURCES = {
  bucket: "polaris-files",
  uploadEventsQueue: "polaris-upload-events",
  uploadEventsDlq: "polaris-upload-events-dlq",
  indexQueue: "polaris-index",
  indexDlq: "polaris-index-dlq",
  eventBus: "polaris-bus",
  fileEventsRule: "polaris-file-events-to-index",
  fileEventsPattern: { source: ["polaris"] },
  scheduleGroup: "polaris-jobs",
  kvTable: "polaris-kv",
  kvPartitionKey: "pk",
  kvTtlAttribute: "expiresAt",
} as const;

/** Receives before a message goes to its queue's DLQ. */
export const MAX_RECEIVE_COUNT = 5;

/** Local emulators accept any credentials; these are what the app process gets too. */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface AwsTarget {
  endpoint: string;
  region: string;
}

/** What provisioning learned: the URLs and ARNs as the endpoint spells them. */
export interface ProvisionedAws {
  endpoint: string;
  region: string;
  uploadEventsQueueUrl: string;
  uploadEventsQueueArn: string;
  uploadEventsDlqUrl: string;
  indexQueueUrl: string;
  indexQueueArn: string;
  indexDlqUrl: string;
}

export function awsClientConfig(t: AwsTarget) {
  return { endpoint: t.endpoint, region: t.region, credentials: { ...LOCAL_CREDENTIALS } };
}

export function s3Client(t: AwsTarget): S3Client {
  return new S3Client({ ...awsClientConfig(t), forcePathStyle: true });
}

const provisionedFile = join(polarisDir, "services", "aws", "resources.json");
const provisionedCache = new Map<string, ProvisionedAws>();

function errName(e: unknown): string {
  const err = e as { name?: string; Code?: string; code?: string };
  return err?.name ?? err?.Code ?? err?.code ?? "";
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  let url: string | undefined;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (e) {
    if (!/NonExistentQueue|QueueDoesNotExist/.test(errName(e))) throw e;
  }
  if (url) {
    if (Object.keys(attributes).length) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } else {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  }
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return { url, arn: attrs.Attributes!.QueueArn! };
}

/** Real AWS needs this for S3 notifications and EventBridge targets; emulators ignore or accept it. */
function queuePolicy(queueArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "polaris-s3-and-eventbridge",
        Effect: "Allow",
        Principal: { Service: ["s3.amazonaws.com", "events.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: queueArn,
      },
    ],
  });
}

/** A queue as the stacks make it: 60 s visibility, a dead-letter queue after MAX_RECEIVE_COUNT receives, S3 and EventBridge may send. */
export async function queueWithDlq(sqs: SQSClient, name: string, dlqName: string) {
  const dlq = await ensureQueue(sqs, dlqName, {});
  const q = await ensureQueue(sqs, name, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    VisibilityTimeout: "60",
  });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { Policy: queuePolicy(q.arn) } }));
  return { ...q, dlqUrl: dlq.url };
}

/**
 * Setting a bucket notification makes S3 (and moto, and LocalStack) send one `s3:TestEvent`
 * message to the queue. Take it off the queue so consumers never see it; any other message we
 * happened to receive is made visible again at once. (Consumers should still ignore test events.)
 */
async function drainTestEvent(sqs: SQSClient, queueUrl: string) {
  const t0 = Date.now();
  while (Date.now() - t0 < 5_000) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 30 }),
    );
    let found = false;
    for (const m of r.Messages ?? []) {
      let isTest = false;
      try {
        isTest = JSON.parse(m.Body ?? "{}").Event === "s3:TestEvent";
      } catch {
        /* not JSON: not ours */
      }
      if (isTest) {
        found = true;
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      } else {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      }
    }
    if (found) return;
  }
}

/** A bus whose rule sends the file events to a queue (SQS targets only: others make moto's PutEvents fail). */
export async function ensureEventRoute(events: EventBridgeClient, route: { bus: string; rule: string; queueArn: string }) {
  try {
    await events.send(new DescribeEventBusCommand({ Name: route.bus }));
  } catch (e) {
    if (!/ResourceNotFound/.test(errName(e))) throw e;
    try {
      await events.send(new CreateEventBusCommand({ Name: route.bus }));
    } catch (e2) {
      if (!/ResourceAlreadyExists/.test(errName(e2))) throw e2;
    }
  }
  await events.send(
    new PutRuleCommand({
      Name: route.rule,
      EventBusName: route.bus,
      EventPattern: JSON.stringify(RESOURCES.fileEventsPattern),
      State: "ENABLED",
    }),
  );
  const targets = await events.send(
    new PutTargetsCommand({
      Rule: route.rule,
      EventBusName: route.bus,
      Targets: [{ Id: "polaris-index-queue", Arn: route.queueArn }],
    }),
  );
  if (targets.FailedEntryCount) throw new Error(`PutTargets failed: ${JSON.stringify(targets.FailedEntries)}`);
}

/** Creates the schedule group unless it exists (CreateSchedule into a missing group is an error). */
export async function ensureScheduleGroup(scheduler: SchedulerClient, name: string) {
  try {
    await scheduler.send(new GetScheduleGroupCommand({ Name: name }));
  } catch (e) {
    if (!/ResourceNotFound/.test(errName(e))) throw e;
    try {
      await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
    } catch (e2) {
      if (!/Conflict/.test(errName(e2))) throw e2;
    }
  }
}

/** Creates the key-value table (on demand, key pk, TTL expiresAt) unless it exists, and waits until it is ACTIVE. */
export async function ensureKvTable(ddb: DynamoDBClient, name: string) {
  let tableStatus: string | undefined;
  try {
    tableStatus = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus;
  } catch (e) {
    if (!/ResourceNotFound/.test(errName(e))) throw e;
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: RESOURCES.kvPartitionKey, AttributeType: "S" }],
          KeySchema: [{ AttributeName: RESOURCES.kvPartitionKey, KeyType: "HASH" }],
        }),
      );
    } catch (e2) {
      if (!/ResourceInUse/.test(errName(e2))) throw e2;
    }
  }
  const t0 = Date.now();
  while (tableStatus !== "ACTIVE") {
    if (Date.now() - t0 > 60_000) throw new Error(`table ${name} is not ACTIVE after 60s (${tableStatus})`);
    if (tableStatus !== undefined) await new Promise((r) => setTimeout(r, 250));
    tableStatus = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table?.TableStatus;
  }
  const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
  const ttlOk =
    ["ENABLED", "ENABLING"].includes(ttl.TimeToLiveDescription?.TimeToLiveStatus ?? "") &&
    ttl.TimeToLiveDescription?.AttributeName === RESOURCES.kvTtlAttribute;
  if (!ttlOk) {
    await ddb.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: RESOURCES.kvTtlAttribute, Enabled: true },
      }),
    );
  }
}

/**
 * Creates (or brings up to date) every resource in RESOURCES. Safe to run any number of times,
 * from any number of processes one after another (index.ts holds a lock around it).
 */
export async function provisionAws(t: AwsTarget, log: (line: string) => void = () => {}): Promise<ProvisionedAws> {
  const cfg = awsClientConfig(t);
  const s3 = s3Client(t);
  const sqs = new SQSClient(cfg);
  const events = new EventBridgeClient(cfg);
  const scheduler = new SchedulerClient(cfg);
  const ddb = new DynamoDBClient(cfg);
  try {
    // Queues first: S3 drops notifications for a queue that doesn't exist, and a RedrivePolicy
    // must name an existing DLQ.
    const upload = await queueWithDlq(sqs, RESOURCES.uploadEventsQueue, RESOURCES.uploadEventsDlq);
    const index = await queueWithDlq(sqs, RESOURCES.indexQueue, RESOURCES.indexDlq);

    // Bucket + one CORS rule (several rules make preflights fail on moto if any misses the origin).
    try {
      await s3.send(new HeadBucketCommand({ Bucket: RESOURCES.bucket }));
    } catch {
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket: RESOURCES.bucket,
            ...(t.region === "us-east-1"
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: t.region as BucketLocationConstraint } }),
          }),
        );
        log(`[aws] created bucket ${RESOURCES.bucket}`);
      } catch (e) {
        if (!/BucketAlreadyOwnedByYou/.test(errName(e))) throw e;
      }
    }
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: RESOURCES.bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ["*"],
              AllowedMethods: ["GET", "PUT", "POST", "HEAD"],
              AllowedHeaders: ["*"],
              ExposeHeaders: ["ETag", "x-amz-checksum-sha256"],
              MaxAgeSeconds: 3000,
            },
          ],
        },
      }),
    );
    const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: RESOURCES.bucket }));
    const hasNotification =
      (current.QueueConfigurations ?? []).length === 1 &&
      current.QueueConfigurations![0].QueueArn === upload.arn &&
      (current.QueueConfigurations![0].Events ?? []).includes("s3:ObjectCreated:*") &&
      current.QueueConfigurations![0].Filter?.Key?.FilterRules?.[0]?.Value === Uploads.UPLOAD_KEY_PREFIX;
    if (!hasNotification) {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: RESOURCES.bucket,
          NotificationConfiguration: {
            // As the stacks filter: the blobs/ copies completion makes are no upload.
            QueueConfigurations: [{
              Id: "polaris-upload-events", QueueArn: upload.arn, Events: ["s3:ObjectCreated:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: Uploads.UPLOAD_KEY_PREFIX }] } },
            }],
          },
        }),
      );
      await drainTestEvent(sqs, upload.url);
      log(`[aws] bucket ${RESOURCES.bucket} notifies ${RESOURCES.uploadEventsQueue} on s3:ObjectCreated:* under ${Uploads.UPLOAD_KEY_PREFIX}`);
    }

    await ensureEventRoute(events, { bus: RESOURCES.eventBus, rule: RESOURCES.fileEventsRule, queueArn: index.arn });

    await ensureScheduleGroup(scheduler, RESOURCES.scheduleGroup);
    await ensureKvTable(ddb, RESOURCES.kvTable);

    const result: ProvisionedAws = {
      endpoint: t.endpoint,
      region: t.region,
      uploadEventsQueueUrl: upload.url,
      uploadEventsQueueArn: upload.arn,
      uploadEventsDlqUrl: upload.dlqUrl,
      indexQueueUrl: index.url,
      indexQueueArn: index.arn,
      indexDlqUrl: index.dlqUrl,
    };
    provisionedCache.set(t.endpoint, result);
    mkdirSync(dirname(provisionedFile), { recursive: true });
    writeFileSync(provisionedFile, `${JSON.stringify({ ...readProvisionedFile(), [t.endpoint]: result }, null, 2)}\n`);
    return result;
  } finally {
    for (const c of [s3, sqs, events, scheduler, ddb]) c.destroy();
  }
}

/** endpoint -> what provisioning against it returned */
function readProvisionedFile(): Record<string, ProvisionedAws> {
  try {
    const parsed = JSON.parse(readFileSync(provisionedFile, "utf8"));
    return parsed && typeof parsed === "object" && !("endpoint" in parsed) ? parsed : {};
  } catch {
    return {}; // not provisioned from this repo yet
  }
}

function provisionedFor(endpoint: string): ProvisionedAws | undefined {
  return provisionedCache.get(endpoint) ?? readProvisionedFile()[endpoint];
}

/**
 * The environment variables an app process needs for the endpoints that are present.
 * Queue URLs are the ones the endpoint returned when provisioning (remembered in
 * .polaris/services/aws/resources.json); before any provisioning they are guessed in the form
 * `<endpoint>/<account>/<name>` (moto's account 123456789012, LocalStack's 000000000000 on :4566).
 */
export function resourceEnv(endpoints: Endpoints): Record<string, string> {
  const env: Record<string, string> = {};
  if (endpoints.aws) {
    const { endpoint, region } = endpoints.aws;
    const p = provisionedFor(endpoint);
    const account = /:4566\b/.test(endpoint) ? "000000000000" : "123456789012";
    const guess = (name: string) => `${endpoint.replace(/\/+$/, "")}/${account}/${name}`;
    Object.assign(env, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      S3_BUCKET: RESOURCES.bucket,
      S3_FORCE_PATH_STYLE: "true",
      UPLOAD_EVENTS_QUEUE_URL: p?.uploadEventsQueueUrl ?? guess(RESOURCES.uploadEventsQueue),
      INDEX_QUEUE_URL: p?.indexQueueUrl ?? guess(RESOURCES.indexQueue),
      EVENT_BUS_NAME: RESOURCES.eventBus,
      SCHEDULE_GROUP: RESOURCES.scheduleGroup,
      KV_TABLE: RESOURCES.kvTable,
    });
  }
  if (endpoints.postgres) env.DATABASE_URL = endpoints.postgres.url;
  if (endpoints.opensearch) env.OPENSEARCH_URL = endpoints.opensearch.url;
  return env;
}
