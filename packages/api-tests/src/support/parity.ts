import { randomBytes } from "node:crypto";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { up, type Endpoints } from "../../../../infra-local/services/index";
import { awsClientConfig, ensureKvTable, ensureScheduleGroup } from "../../../../infra-local/services/resources";
import { PARITY_SERVICES } from "../../../../infra-local/parity/start";

/**
 * A key space of its own for one parity test app, as a fresh database is for the SQL side: its own
 * DynamoDB table (rate-limit windows and idempotency keys), Scheduler group and search index, so apps
 * whose fresh databases reuse the same ids never see each other's items. The bucket and queues are
 * shared: object keys are unique, and test files run one at a time on this profile.
 */
export async function freshParityEnv(): Promise<{ endpoints: Endpoints; env: Record<string, string>; drop(): Promise<void> }> {
  const endpoints = await up(PARITY_SERVICES);
  const suffix = randomBytes(4).toString("hex");
  const table = `polaris-kv-test-${suffix}`;
  const group = `polaris-jobs-test-${suffix}`;
  const index = `polaris-files-test-${suffix}`;
  const ddb = new DynamoDBClient(awsClientConfig(endpoints.aws!));
  const scheduler = new SchedulerClient(awsClientConfig(endpoints.aws!));
  await Promise.all([ensureKvTable(ddb, table), ensureScheduleGroup(scheduler, group)]);
  return {
    endpoints,
    env: { KV_TABLE: table, SCHEDULE_GROUP: group, OPENSEARCH_INDEX: index },
    async drop() {
      try {
        await Promise.all([
          ddb.send(new DeleteTableCommand({ TableName: table })),
          scheduler.send(new DeleteScheduleGroupCommand({ Name: group })),
          // The alias points at `<alias>-v<n>` (one per rebuild).
          fetch(`${endpoints.opensearch!.url}/${index}-v*`, { method: "DELETE" }),
        ]);
      } finally {
        ddb.destroy();
        scheduler.destroy();
      }
    },
  };
}
