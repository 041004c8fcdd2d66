import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteEventBusCommand, DeleteRuleCommand, EventBridgeClient, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { consumersFedBy, queueUrlVariable } from "@polaris/contract";
import { PARITY_SERVICES, up, type Endpoints } from "@polaris/infra-local/services";
import {
  awsClientConfig,
  busRoute,
  ensureEventRoute,
  ensureKvTable,
  ensureScheduleGroup,
  queueWithDlq,
} from "@polaris/infra-local/services/resources";

/**
 * A key space of its own for one parity test app, as a fresh database is for the SQL side: its own
 * DynamoDB table (rate-limit windows, idempotency keys), Scheduler group, search index, and event bus
 * with a rule and queue per bus consumer, so apps whose fresh databases reuse the same ids never see
 * each other's items or events (nor wait for another app's failed messages). The bucket and its
 * notified queues are shared (one bucket notification): object keys are unique per upload, and
 * test files run one at a time on this profile.
 */
export async function freshParityEnv(): Promise<{ endpoints: Endpoints; env: Record<string, string>; drop(): Promise<void> }> {
  const endpoints = await up(PARITY_SERVICES);
  const name = `polaris-test-${randomBytes(4).toString("hex")}`;
  const aws = awsClientConfig(endpoints.aws!);
  const ddb = new DynamoDBClient(aws);
  const scheduler = new SchedulerClient(aws);
  const sqs = new SQSClient(aws);
  const events = new EventBridgeClient(aws);
  const bus = `${name}-bus`;
  const [, , ...queues] = await Promise.all([
    ensureKvTable(ddb, name),
    ensureScheduleGroup(scheduler, name),
    ...consumersFedBy("bus").map(async ([, consumer]) => {
      const queue = await queueWithDlq(sqs, consumer, { queue: `${name}-${consumer.queue}`, dlq: `${name}-${consumer.dlq}` });
      const route = busRoute(consumer, name);
      await ensureEventRoute(events, { bus, ...route, pattern: consumer.source.pattern, queueArn: queue.arn });
      return { ...queue, ...route, variable: queueUrlVariable(consumer) };
    }),
  ]);
  return {
    endpoints,
    env: {
      KV_TABLE: name,
      SCHEDULE_GROUP: name,
      OPENSEARCH_INDEX: name,
      EVENT_BUS_NAME: bus,
      ...Object.fromEntries(queues.map((q) => [q.variable, q.url])),
    },
    async drop() {
      try {
        for (const q of queues) {
          await events.send(new RemoveTargetsCommand({ Rule: q.rule, EventBusName: bus, Ids: [q.targetId] }));
          await events.send(new DeleteRuleCommand({ Name: q.rule, EventBusName: bus }));
        }
        await Promise.all([
          events.send(new DeleteEventBusCommand({ Name: bus })),
          ...queues.flatMap((q) => [
            sqs.send(new DeleteQueueCommand({ QueueUrl: q.url })),
            sqs.send(new DeleteQueueCommand({ QueueUrl: q.dlqUrl })),
          ]),
          ddb.send(new DeleteTableCommand({ TableName: name })),
          scheduler.send(new DeleteScheduleGroupCommand({ Name: name })),
          // The alias points at `<alias>-v<n>` (one per rebuild).
          fetch(`${endpoints.opensearch!.url}/${name}-v*`, { method: "DELETE" }),
        ]);
      } finally {
        for (const client of [ddb, scheduler, sqs, events]) client.destroy();
      }
    },
  };
}
