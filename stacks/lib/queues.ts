import { Duration } from "aws-cdk-lib";
import { QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { Queue } from "sst/constructs";

/** Retries before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/**
 * A work queue with its dead-letter queue: SQS-managed encryption, TLS-only, 14 days to
 * inspect and redrive what failed. The visibility timeout leaves room for six consumer runs,
 * as Lambda's SQS integration recommends.
 */
export function queueWithDlq(scope: Construct, id: string, consumerTimeoutSeconds: number) {
  const dlq = new Queue(scope, `${id}-dlq`, {
    cdk: {
      queue: {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      },
    },
  });
  const queue = new Queue(scope, id, {
    cdk: {
      queue: {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(4),
        visibilityTimeout: Duration.seconds(consumerTimeoutSeconds * 6),
        deadLetterQueue: { queue: dlq.cdk.queue, maxReceiveCount: MAX_RECEIVE_COUNT },
      },
    },
  });
  return { queue, dlq };
}
