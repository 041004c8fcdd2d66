import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord, SQSRecordAttributes } from "aws-lambda";
import type { Logger } from "@aws-lambda-powertools/logger";
import { loadModuleHandler } from "../gateway";

/** One SQS event source mapping: the queue, the Lambda module that consumes it and its batch size. */
export interface QueueBinding {
  url: string;
  handler: string;
  batchSize: number;
}

/** The most messages one ReceiveMessage returns: a larger Lambda batch arrives here as several. */
const SQS_RECEIVE_MAX = 10;

const RECEIVE_WAIT_SECONDS = 2;
/** Concurrent receive-and-handle loops per queue (Lambda scales its pollers; two keep a slow batch from holding up the rest). */
const POLLERS_PER_QUEUE = 2;

type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** A received message as Lambda's SQS event source puts it into `Records`. */
function toRecord(message: Message, queueArn: string, region: string): SQSRecord {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: message.Attributes as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          dataType: value.DataType!,
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue && base64(value.BinaryValue),
          stringListValues: value.StringListValues ?? [],
          binaryListValues: (value.BinaryListValues ?? []).map(base64),
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The local stand-in for Lambda's SQS event source mappings: long-polls each queue, hands batches of
 * up to its batch size (at most 10) to the same handler module with the real event shape, deletes what succeeded and
 * leaves the reported `batchItemFailures` (or the whole batch, if the handler throws) to come back
 * after the queue's visibility timeout, and to move to its dead-letter queue after maxReceiveCount.
 * Resolves once every queue answered (a missing queue fails here, not later in a poller).
 */
export async function startSqsDispatcher(options: { client: SQSClient; region: string; queues: QueueBinding[]; logger: Logger }) {
  const { client, region, logger } = options;
  let stopping = false;
  let inFlight = 0;
  /** Failed messages waiting out their visibility timeout, per queue: messageId -> when they show again. */
  const waiting = new Map<string, Map<string, number>>(options.queues.map((q) => [q.url, new Map()]));

  const attributes = async (
    url: string,
    names: (
      | "QueueArn"
      | "VisibilityTimeout"
      | "ApproximateNumberOfMessages"
      | "ApproximateNumberOfMessagesNotVisible"
      | "ApproximateNumberOfMessagesDelayed"
    )[],
  ) => (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }))).Attributes ?? {};

  /** Invokes the handler; returns the ids to leave for redelivery (all of them if it throws or names a message not in the batch, as Lambda does). */
  async function invoke(queue: QueueBinding, records: SQSRecord[]): Promise<Set<string>> {
    const all = new Set(records.map((r) => r.messageId));
    try {
      const failures = (await (await loadModuleHandler<SqsHandler>(queue.handler))({ Records: records }))?.batchItemFailures ?? [];
      if (failures.every((f) => all.has(f.itemIdentifier))) return new Set(failures.map((f) => f.itemIdentifier));
      logger.error("SQS handler reported an unknown item: the whole batch will be retried", { handler: queue.handler, failures });
    } catch (error) {
      logger.error("SQS handler failed: the whole batch will be retried", { handler: queue.handler, error: error as Error });
    }
    return all;
  }

  async function deliver(queue: QueueBinding, queueArn: string, visibilitySeconds: number, messages: Message[]) {
    const records = messages.map((m) => toRecord(m, queueArn, region));
    const failed = await invoke(queue, records);
    const visibleAgain = Date.now() + visibilitySeconds * 1000;
    for (const id of failed) waiting.get(queue.url)!.set(id, visibleAgain);
    const done = records.filter((r) => !failed.has(r.messageId));
    if (done.length) {
      const out = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (out.Failed?.length) logger.warn("could not delete handled messages", { queue: queue.url, failed: out.Failed });
    }
  }

  async function poll(queue: QueueBinding, attrs: Record<string, string>) {
    while (!stopping) {
      let messages: Message[];
      try {
        // Short long-polls: a receive is never aborted (its messages would stay invisible until the
        // visibility timeout with nobody handling them), so closing waits for the current one.
        const out = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: Math.min(queue.batchSize, SQS_RECEIVE_MAX),
            WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        messages = out.Messages ?? [];
      } catch (error) {
        logger.error("SQS receive failed; retrying in 1 s", { queue: queue.url, error: error as Error });
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!messages.length) continue;
      inFlight += 1;
      try {
        for (const m of messages) waiting.get(queue.url)!.delete(m.MessageId!);
        await deliver(queue, attrs.QueueArn!, Number(attrs.VisibilityTimeout ?? 30), messages);
      } catch (error) {
        // Handled but not deleted (the delete call failed): they come back, as on AWS.
        logger.error("could not delete handled messages", { queue: queue.url, error: error as Error });
      } finally {
        inFlight -= 1;
      }
    }
  }

  const queueAttributes = await Promise.all(options.queues.map((q) => attributes(q.url, ["QueueArn", "VisibilityTimeout"])));
  const pollers = options.queues.flatMap((queue, i) => Array.from({ length: POLLERS_PER_QUEUE }, () => poll(queue, queueAttributes[i])));

  /** True when no message is visible, delayed or being handled (failed ones waiting to show again don't count). */
  async function quiet() {
    if (inFlight) return false;
    for (const queue of options.queues) {
      const a = await attributes(queue.url, [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ]);
      const now = Date.now();
      const failed = waiting.get(queue.url)!;
      for (const [id, until] of failed) if (until <= now) failed.delete(id);
      if (Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesDelayed) > 0) return false;
      if (Number(a.ApproximateNumberOfMessagesNotVisible) > failed.size) return false;
    }
    return inFlight === 0;
  }

  return {
    /** Resolves when the queues are drained and nothing is in flight. */
    async idle() {
      while (!(await quiet())) await new Promise((r) => setTimeout(r, 50));
    },
    /** Stops polling: the receives under way end within RECEIVE_WAIT_SECONDS, and what they got is handled. */
    async close() {
      stopping = true;
      await Promise.all(pollers);
    },
  };
}
