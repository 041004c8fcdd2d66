import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createSqlScheduler } from "@polaris/adapters/sql-scheduler";
import { consumersFedBy, consumerTable, jobTable, type JobName, type QueueConsumer } from "@polaris/contract";
import type { AppDeps } from "@polaris/runtime";
import { loadModuleHandler } from "./gateway";

/** Wraps one message body in the SQS event Lambda would receive. */
export const sqsEvent = (body: string, source = "aws:sqs"): SQSEvent => ({
  Records: [
    {
      messageId: crypto.randomUUID(),
      receiptHandle: "local",
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(Date.now()),
        SenderId: "local",
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: source,
      eventSourceARN: "arn:aws:sqs:local:000000000000:local",
      awsRegion: "local",
    },
  ],
});

/**
 * In-process stand-ins for SQS, the EventBridge bus and Scheduler (the embedded profile), wired as the
 * consumer table says: bus events and S3 notifications go to the same event handlers with the real
 * event shape, retried up to the consumer's receives like a redrive policy, and due jobs from the jobs
 * table run the same job handlers.
 */
export function createBackground(deps: AppDeps) {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const deliver = (consumer: QueueConsumer, body: string, attempt = 1): Promise<void> =>
    track(
      (async () => {
        const handler = await loadModuleHandler<(e: SQSEvent) => Promise<SQSBatchResponse>>(consumer.handler);
        const result = await handler(sqsEvent(body)).catch(() => ({ batchItemFailures: [{ itemIdentifier: "all" }] }));
        if (result.batchItemFailures.length && attempt < consumer.maxReceives) {
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          return deliver(consumer, body, attempt + 1);
        }
        if (result.batchItemFailures.length) deps.logger.error("message dropped after retries", { handlerModule: consumer.handler });
      })(),
    );

  const jobs = createSqlScheduler(deps.db);
  let running = false;
  const runDueJobs = async () => {
    if (running) return;
    running = true;
    try {
      for (const job of await jobs.due(50)) {
        try {
          const entry = jobTable[job.type as JobName];
          await (await loadModuleHandler<(input: unknown) => Promise<unknown>>(entry.handler))(job.payload);
          await jobs.done(job.name);
        } catch (error) {
          deps.logger.error("job failed", { job: job.name, error: error as Error });
          await jobs.failed(job.name, String(error), new Date(Date.now() + 60_000));
        }
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void track(runDueJobs()), deps.config.JOB_POLL_MS);
  timer.unref();

  // The stacks' bus rules: each event goes to every bus consumer whose pattern matches its source (and type, when the pattern names types).
  const busConsumers = consumersFedBy("bus").map(([, consumer]) => consumer);
  deps.inProcessBus?.connect((event) => {
    for (const consumer of busConsumers) {
      const { source, "detail-type": types } = consumer.source.pattern;
      if (source.includes(event.source) && (!types || types.includes(event["detail-type"]))) void deliver(consumer, JSON.stringify(event));
    }
  });
  // The outbox sweeper, at start (rows a crash left unpublished) and then on its interval.
  const sweep = () =>
    track(loadModuleHandler<(input: unknown) => Promise<unknown>>(consumerTable["outbox-sweep"].handler).then((run) => run({}))).catch(
      (error) => deps.logger.error("outbox sweep failed", { error: error as Error }),
    );
  void sweep();
  const sweeper = setInterval(() => void sweep(), deps.config.OUTBOX_SWEEP_MS);
  sweeper.unref();

  return {
    /** An S3 ObjectCreated notification for `key`, to each S3 consumer whose prefix it falls under, as S3 would queue it. */
    objectCreated(key: string, body: string) {
      for (const [, consumer] of consumersFedBy("s3")) if (key.startsWith(consumer.source.prefix)) void deliver(consumer, body);
    },
    runDueJobs: () => track(runDueJobs()),
    /** Resolves when no background work is in flight. */
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async close() {
      clearInterval(timer);
      clearInterval(sweeper);
      await this.idle();
    },
  };
}
