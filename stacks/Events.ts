import { Duration } from "aws-cdk-lib";
import { Cron, EventBus, use, type StackContext } from "sst/constructs";
import { consumerTable } from "@polaris/contract";
import { polarisFunction } from "./lib/functions";
import type { Platform } from "./lib/platform";
import { consumerQueues, pascal } from "./lib/queues";
import { Data } from "./Data";
import { Network } from "./Network";

/**
 * Domain events: the outbox is published to the bus after each commit, a rule per bus consumer of
 * the consumer table sends the events it matches to its queue (the search indexer's is consumed in
 * the Search stack), and the sweeper republishes outbox rows that a crashed publisher left behind.
 */
export function Events({ stack }: StackContext) {
  const { settings, network } = use(Network);
  const { database } = use(Data);

  const bus = new EventBus(stack, "bus");
  const busQueues = consumerQueues(stack, "bus");
  bus.addRules(
    stack,
    Object.fromEntries(
      busQueues.queues.map(({ consumer, queue, dlq }) => [
        `to${pascal(consumer.queue)}`,
        {
          pattern: {
            source: [...consumer.source.pattern.source],
            ...(consumer.source.pattern["detail-type"] ? { detailType: [...consumer.source.pattern["detail-type"]] } : {}),
          },
          targets: {
            [consumer.queue]: {
              type: "queue" as const,
              queue,
              // Events EventBridge could not deliver land beside the ones the consumer gave up on.
              cdk: {
                target: {
                  deadLetterQueue: dlq.cdk.queue,
                  retryAttempts: consumer.source.retryAttempts,
                  maxEventAge: Duration.hours(consumer.source.maxEventAgeHours),
                },
              },
            },
          },
        },
      ]),
    ),
  );

  const platform: Platform = { settings, network, database, bus: bus.cdk.eventBus };
  const sweep = consumerTable["outbox-sweep"];
  const sweeper = polarisFunction(
    stack,
    "OutboxSweep",
    {
      entry: sweep.handler,
      access: { db: true, events: true },
      timeout: `${sweep.timeoutSeconds} seconds`,
      memorySize: "512 MB",
    },
    platform,
  );
  const minutes = sweep.source.rateMinutes;
  new Cron(stack, "outbox-sweep", { schedule: `rate(${minutes} minute${minutes === 1 ? "" : "s"})`, job: sweeper });

  return { bus: bus.cdk.eventBus, busQueues, sweeper };
}
