import { Duration } from "aws-cdk-lib";
import { Cron, EventBus, use, type StackContext } from "sst/constructs";
import { polarisFunction } from "./lib/functions";
import type { Platform } from "./lib/platform";
import { queueWithDlq } from "./lib/queues";
import { Data } from "./Data";
import { Network } from "./Network";

export const EVENT_SOURCE = "polaris";
const INDEXER_TIMEOUT_SECONDS = 60;

/**
 * Domain events: the outbox is published to the bus after each commit, a rule sends every
 * Polaris event to the index queue (the search indexer's input, in the Search stack), and the
 * sweeper republishes outbox rows that a crashed publisher left behind, every minute.
 */
export function Events({ stack }: StackContext) {
  const { settings, network } = use(Network);
  const { database } = use(Data);

  const bus = new EventBus(stack, "bus");
  const { queue: indexQueue, dlq: indexDlq } = queueWithDlq(stack, "index", INDEXER_TIMEOUT_SECONDS);
  bus.addRules(stack, {
    toIndex: {
      pattern: { source: [EVENT_SOURCE] },
      targets: {
        index: {
          type: "queue",
          queue: indexQueue,
          // Events EventBridge could not deliver land beside the ones the indexer gave up on.
          cdk: { target: { deadLetterQueue: indexDlq.cdk.queue, retryAttempts: 20, maxEventAge: Duration.hours(24) } },
        },
      },
    },
  });

  const platform: Platform = { settings, network, database, bus: bus.cdk.eventBus };
  const sweeper = polarisFunction(stack, "OutboxSweep", {
    entry: "functions/jobs/outbox-sweep.ts",
    access: { db: true, events: true },
    timeout: "50 seconds",
    memorySize: "512 MB",
  }, platform);
  new Cron(stack, "outbox-sweep", { schedule: "rate(1 minute)", job: sweeper });

  return { bus: bus.cdk.eventBus, indexQueue, indexDlq, sweeper, indexerTimeoutSeconds: INDEXER_TIMEOUT_SECONDS };
}
