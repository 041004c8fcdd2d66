// The AWS resources the app expects, their names, idempotent provisioning against an
// S3/SQS/EventBridge/Scheduler/DynamoDB endpoint (moto's server here, LocalStack works unchanged),
// and the environment an app process needs to use them.
import { consumersFedBy, queueConsumers, queueUrlVariable, type BusSource, type ConsumerName, type QueueConsumer } from "@polaris/contract";
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
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
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

/** Resource names, shared by provisioning, the app's env and the tests (the queues are the consumer table's). */
export const RESOURCES = {
  bucket: "polaris-files",
  eventBus: "polaris-bus",
  scheduleGroup: "polaris-jobs",
  kvTable: "polaris-kv",
  kvPartitionKey: "pk",
  kvTtlAttribute: "expiresAt",
} as const;

/** A queue's local name: the stacks' `<stage>-polaris-<name>` without a stage. */
export const localQueueName = (name: string) => `polaris-${name}`;

/** A bus consumer's rule on a local bus (`prefix` keeps a test's bus apart) and the id of its queue target. */
export const busRoute = (consumer: QueueConsumer, prefix = "polaris") => ({
  rule: `${prefix}-file-events-to-${consumer.queue}`,
  targetId: `polaris-${consumer.queue}-queue`,
});

/**
 * Locally a failed message shows again after a minute rather than after six handler timeouts
 * (the table's visibility timeout), so a retry happens within a test's or a developer's patience.
 */
const LOCAL_VISIBILITY_TIMEOUT_SECONDS = 60;

/** Local emulators accept any credentials; these are what the app process gets too. */
export const LOCAL_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface AwsTarget {
  endpoint: string;
  region: string;
}

/** A provisioned queue, as the endpoint spells it. */
export interface ProvisionedQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

/** What provisioning learned: each consumer's queue URLs and ARN. */
export interface ProvisionedAws {
  endpoint: string;
  region: string;
  queues: Partial<Record<ConsumerName, ProvisionedQueue>>;
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

/**
 * A consumer's queue as the stacks make it: a dead-letter queue after the table's receives, S3 and
 * EventBridge may send; the local names unless `names` are given (a test's own queues).
 */
export async function queueWithDlq(
  sqs: SQSClient,
  consumer: QueueConsumer,
  names = { queue: localQueueName(consumer.queue), dlq: localQueueName(consumer.dlq) },
): Promise<ProvisionedQueue> {
  const dlq = await ensureQueue(sqs, names.dlq, {});
  const q = await ensureQueue(sqs, names.queue, {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: consumer.maxReceives }),
    VisibilityTimeout: String(LOCAL_VISIBILITY_TIMEOUT_SECONDS),
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

/** A bus whose rule sends the events a pattern matches to a queue (SQS targets only: others make moto's PutEvents fail). */
export async function ensureEventRoute(
  events: EventBridgeClient,
  route: { bus: string; rule: string; targetId: string; pattern: BusSource["pattern"]; queueArn: string },
) {
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
      EventPattern: JSON.stringify(route.pattern),
      State: "ENABLED",
    }),
  );
  const targets = await events.send(
    new PutTargetsCommand({
      Rule: route.rule,
      EventBusName: route.bus,
      Targets: [{ Id: route.targetId, Arn: route.queueArn }],
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
    const queues: ProvisionedAws["queues"] = {};
    for (const [name, consumer] of queueConsumers()) queues[name] = await queueWithDlq(sqs, consumer);

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
    // As the stacks filter, by prefix: the blobs/ copies completion makes are no upload.
    const s3Consumers = consumersFedBy("s3");
    const notifications = s3Consumers.map(([name, consumer]) => ({ arn: queues[name]!.arn, prefix: consumer.source.prefix }));
    const current = (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: RESOURCES.bucket }))).QueueConfigurations ?? [];
    const hasNotifications =
      current.length === notifications.length &&
      notifications.every((n) =>
        current.some(
          (c) =>
            c.QueueArn === n.arn && (c.Events ?? []).includes("s3:ObjectCreated:*") && c.Filter?.Key?.FilterRules?.[0]?.Value === n.prefix,
        ),
      );
    if (!hasNotifications) {
      await s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: RESOURCES.bucket,
          NotificationConfiguration: {
            QueueConfigurations: s3Consumers.map(([name, consumer]) => ({
              Id: localQueueName(consumer.queue),
              QueueArn: queues[name]!.arn,
              Events: ["s3:ObjectCreated:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: consumer.source.prefix }] } },
            })),
          },
        }),
      );
      for (const [name, consumer] of s3Consumers) {
        await drainTestEvent(sqs, queues[name]!.url);
        log(
          `[aws] bucket ${RESOURCES.bucket} notifies ${localQueueName(consumer.queue)} on s3:ObjectCreated:* under ${consumer.source.prefix}`,
        );
      }
    }

    for (const [name, consumer] of consumersFedBy("bus")) {
      await ensureEventRoute(events, {
        bus: RESOURCES.eventBus,
        ...busRoute(consumer),
        pattern: consumer.source.pattern,
        queueArn: queues[name]!.arn,
      });
    }

    await ensureScheduleGroup(scheduler, RESOURCES.scheduleGroup);
    await ensureKvTable(ddb, RESOURCES.kvTable);

    const result: ProvisionedAws = { endpoint: t.endpoint, region: t.region, queues };
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
      ...Object.fromEntries(
        queueConsumers().map(([name, consumer]) => [
          queueUrlVariable(consumer),
          p?.queues?.[name]?.url ?? guess(localQueueName(consumer.queue)),
        ]),
      ),
      EVENT_BUS_NAME: RESOURCES.eventBus,
      SCHEDULE_GROUP: RESOURCES.scheduleGroup,
      KV_TABLE: RESOURCES.kvTable,
    });
  }
  if (endpoints.postgres) env.DATABASE_URL = endpoints.postgres.url;
  if (endpoints.opensearch) env.OPENSEARCH_URL = endpoints.opensearch.url;
  return env;
}
