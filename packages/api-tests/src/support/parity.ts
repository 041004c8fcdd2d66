import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteEventBusCommand, DeleteRuleCommand, EventBridgeClient, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DeleteQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { up, type Endpoints } from "../../../../infra-local/services/index";
import {
  awsClientConfig, ensureEventRoute, ensureKvTable, ensureScheduleGroup, queueWithDlq,
} from "../../../../infra-local/services/resources";
import { PARITY_SERVICES } from "../../../../infra-local/parity/start";

/**
 * A key space of its own for one parity test app, as a fresh database is for the SQL side: its own
 * DynamoDB table (rate-limit windows, idempotency keys), Scheduler group, search index, and event bus
 * with its rule and index queue, so apps whose fresh databases reuse the same ids never see each
 * other's items or events (nor wait for another app's failed messages). The bucket and its
 * upload-events queue are shared (one bucket notification): object keys are unique per upload, and
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
  const route = { bus: `${name}-bus`, rule: `${name}-file-events` };
  const [, , index] = await Promise.all([ensureKvTable(ddb, name), ensureScheduleGroup(scheduler, name), queueWithDlq(sqs, `${name}-index`, `${name}-index-dlq`)]);
  await ensureEventRoute(events, { ...route, queueArn: index.arn });
  return {
    endpoints,
    env: { KV_TABLE: name, SCHEDULE_GROUP: name, OPENSEARCH_INDEX: name, EVENT_BUS_NAME: route.bus, INDEX_QUEUE_URL: index.url },
    async drop() {
      try {
        await events.send(new RemoveTargetsCommand({ Rule: route.rule, EventBusName: route.bus, Ids: ["polaris-index-queue"] }));
        await events.send(new DeleteRuleCommand({ Name: route.rule, EventBusName: route.bus }));
        await Promise.all([
          events.send(new DeleteEventBusCommand({ Name: route.bus })),
          sqs.send(new DeleteQueueCommand({ QueueUrl: index.url })),
          sqs.send(new DeleteQueueCommand({ QueueUrl: index.dlqUrl })),
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
