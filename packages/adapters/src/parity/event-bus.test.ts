// The EventBridge bus adapter against the parity endpoint: PutEvents reaches the index queue through the provisioned rule.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEventBridgeBus, eventBridgeEnvelope } from "@polaris/adapters";
import { awsClientConfig, loadConfig, type Config } from "@polaris/runtime";
import { resourceEnv, up } from "@polaris/infra-local/services";

let config: Config;
let queueUrl: string;
let sqs: SQSClient;
beforeAll(async () => {
  const env = resourceEnv(await up(["aws"]));
  config = loadConfig(env);
  queueUrl = env.INDEX_QUEUE_URL;
  sqs = new SQSClient(awsClientConfig(config));
});
afterAll(() => sqs?.destroy());

/** Takes the queue's messages whose body matches off the queue; others are put back at once. */
async function receive(match: (body: any) => boolean, count: number, timeoutMs = 20_000) {
  const found: any[] = [];
  const t0 = Date.now();
  while (found.length < count && Date.now() - t0 < timeoutMs) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) {
      const body = JSON.parse(m.Body ?? "null");
      if (match(body)) {
        found.push(body);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
      } else {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
      }
    }
  }
  return found;
}

describe("EventBridge bus adapter", () => {
  it("publishes outbox rows in batches of ten that reach the index queue as EventBridge events", async () => {
    const bus = createEventBridgeBus({ busName: config.EVENT_BUS_NAME!, client: awsClientConfig(config) });
    const run = randomUUID();
    const events = Array.from({ length: 12 }, (_, i) => ({
      id: 1_000_000 + i,
      type: i % 2 ? "file.renamed" : "file.created",
      payload: { userId: 7, fileIds: [i + 1], subtree: false, run },
      time: new Date(),
    }));
    try {
      expect(await bus.publish(events)).toEqual({ failed: [] });
      const received = await receive((b) => b?.detail?.run === run, events.length);
      expect(received.map((b) => b.detail.outboxId).sort()).toEqual(events.map((e) => e.id));
      const first = received.find((b) => b.detail.outboxId === events[1].id);
      expect(first).toMatchObject({
        source: "polaris",
        "detail-type": "file.renamed",
        detail: { ...events[1].payload, outboxId: events[1].id },
      });
      // The embedded bus hands its consumer the same shape (moto leaves out `account`, which EventBridge sends).
      const local = eventBridgeEnvelope(events[1], { account: "000000000000", region: "local" });
      expect(Object.keys(local)).toEqual(expect.arrayContaining(Object.keys(first)));
      expect(local.detail).toEqual(first.detail);
    } finally {
      bus.client.destroy();
    }
  });

  it("reports the events a bus did not take, so they stay in the outbox", async () => {
    const bus = createEventBridgeBus({ busName: `polaris-missing-${randomUUID().slice(0, 8)}`, client: awsClientConfig(config) });
    try {
      const events = [1, 2, 3].map((id) => ({
        id,
        type: "file.created",
        payload: { userId: 7, fileIds: [id], subtree: false },
        time: new Date(),
      }));
      expect(await bus.publish(events)).toEqual({ failed: [1, 2, 3] });
    } finally {
      bus.client.destroy();
    }
  });
});
