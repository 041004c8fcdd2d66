import { Duration } from "aws-cdk-lib";
import { QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { consumersFedBy, type BusSource, type ConsumerName, type QueueConsumer, type S3Source } from "@polaris/contract";
import { Queue, type Function } from "sst/constructs";

/**
 * A consumer's work queue with its dead-letter queue, as the consumer table declares them (names,
 * visibility timeout, receives before the DLQ): SQS-managed encryption, TLS-only, 14 days to
 * inspect and redrive what failed.
 */
function queueWithDlq(scope: Construct, consumer: QueueConsumer) {
  const dlq = new Queue(scope, consumer.dlq, {
    cdk: {
      queue: {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      },
    },
  });
  const queue = new Queue(scope, consumer.queue, {
    cdk: {
      queue: {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(4),
        visibilityTimeout: Duration.seconds(consumer.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq.cdk.queue, maxReceiveCount: consumer.maxReceives },
      },
    },
  });
  return { queue, dlq };
}

/** `upload-events` → `UploadEvents`: construct ids (alarms, rules) derived from a queue's name. */
export const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/**
 * The queues (and DLQs) of every consumer the table feeds from `kind`, created in the stack that
 * owns the source; `consume` attaches a consumer's function, in whichever stack defines it.
 */
export function consumerQueues<K extends (S3Source | BusSource)["kind"]>(scope: Construct, kind: K) {
  const queues = consumersFedBy(kind).map(([name, consumer]) => ({ name, consumer, ...queueWithDlq(scope, consumer) }));
  const get = (name: ConsumerName) => {
    const entry = queues.find((q) => q.name === name);
    if (!entry) throw new Error(`consumer "${name}" is not fed by ${kind} in the consumer table`);
    return entry;
  };
  return {
    queues,
    get,
    /** Lambda's event source mapping: the consumer's batch, and partial batch failures (the handlers report them). */
    consume(consumerScope: Construct, name: ConsumerName, fn: Function) {
      const entry = get(name);
      entry.queue.addConsumer(consumerScope, {
        function: fn,
        cdk: {
          eventSource: {
            batchSize: entry.consumer.batchSize,
            maxBatchingWindow: Duration.seconds(entry.consumer.batchingWindowSeconds),
            reportBatchItemFailures: true,
          },
        },
      });
    },
  };
}
