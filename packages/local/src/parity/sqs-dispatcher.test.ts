// The dispatcher against real SQS (moto, or LocalStack): the Lambda event shape, partial batch
// failures, whole-batch retries and the redrive to the dead-letter queue after maxReceiveCount.
import { randomBytes } from "node:crypto";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { Logger } from "@aws-lambda-powertools/logger";
import { consumerTable } from "@polaris/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { up } from "@polaris/infra-local/services";
import { awsClientConfig } from "@polaris/infra-local/services/resources";
import { received } from "./fixtures/recording-handler";
import { startSqsDispatcher } from "./sqs-dispatcher";

// The redrive the consumer table gives every queue.
const { maxReceives } = consumerTable["upload-created"];

let sqs: SQSClient;
let region: string;
let queue: { url: string; arn: string };
let dlqUrl: string;
let dispatcher: Awaited<ReturnType<typeof startSqsDispatcher>>;

beforeAll(async () => {
  const { aws } = await up(["aws"]);
  region = aws!.region;
  sqs = new SQSClient(awsClientConfig(aws!));
  const name = `polaris-dispatch-test-${randomBytes(4).toString("hex")}`;
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  // A one-second visibility timeout, so redeliveries come quickly.
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: "1",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: maxReceives }),
        },
      }),
    )
  ).QueueUrl!;
  queue = {
    url,
    arn: (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!,
  };
  dispatcher = await startSqsDispatcher({
    client: sqs,
    region,
    queues: [{ url, handler: "packages/local/src/parity/fixtures/recording-handler.ts", batchSize: 10 }],
    logger: new Logger({ logLevel: "SILENT" }),
  });
});

afterAll(async () => {
  await dispatcher?.close();
  for (const url of [queue?.url, dlqUrl]) if (url) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  sqs?.destroy();
});

const records = () => received.flatMap((e) => e.Records);
const deliveriesOf = (body: string) => records().filter((r) => r.body === body);

/** Waits (bounded) until the dead-letter queue holds `count` messages, and takes them off it. */
async function deadLetters(count: number) {
  const bodies: string[] = [];
  for (let i = 0; i < 60 && bodies.length < count; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(out.Messages ?? []).map((m) => m.Body!));
  }
  return bodies;
}

describe("SQS dispatcher", () => {
  it("hands batches over in Lambda's SQS event shape and deletes what succeeded", async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: "ok-1",
        MessageAttributes: { kind: { DataType: "String", StringValue: "test" } },
      }),
    );
    await dispatcher.idle();
    const [record] = deliveriesOf("ok-1");
    expect(record).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: "ok-1",
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: expect.stringMatching(/^\d+$/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
        SenderId: expect.any(String),
      },
      messageAttributes: { kind: { dataType: "String", stringValue: "test", stringListValues: [], binaryListValues: [] } },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: "aws:sqs",
      eventSourceARN: queue.arn,
      awsRegion: region,
    });
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("redelivers only the reported failures, then dead-letters them after maxReceiveCount receives", async () => {
    for (const body of ["ok-2", "poison", "ok-3"]) await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    expect(await deadLetters(1)).toEqual(["poison"]);
    expect(deliveriesOf("poison").map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2", "3", "4", "5"]);
    expect(new Set(deliveriesOf("poison").map((r) => r.messageId)).size).toBe(1);
    expect(deliveriesOf("ok-2")).toHaveLength(1);
    expect(deliveriesOf("ok-3")).toHaveLength(1);
  });

  it("retries the whole batch when the handler throws", async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "crash" }));
    expect(await deadLetters(1)).toEqual(["crash"]);
    expect(deliveriesOf("crash")).toHaveLength(maxReceives);
  });
});
