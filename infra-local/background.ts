import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createSqlScheduler } from "@polaris/adapters/sql-scheduler";
import { jobTable, type JobName } from "@polaris/contract";
import type { AppDeps } from "@polaris/runtime";
import { loadModuleHandler } from "./gateway";

/** Wraps one message body in the SQS event Lambda would receive. */
export const sqsEvent = (body: string, source = "aws:sqs"): SQSEvent => ({
  Records: [{
    messageId: crypto.randomUUID(), receiptHandle: "local", body, attributes: {
      ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "local", ApproximateFirstReceiveTimestamp: String(Date.now()),
    }, messageAttributes: {}, md5OfBody: "", eventSource: source, eventSourceARN: "arn:aws:sqs:local:000000000000:local", awsRegion: "local",
  }],
});

/**
 * In-process stand-ins for SQS, the EventBridge bus and Scheduler (the embedded profile): queue messages go
 * to the same event handlers with the real event shape, retried a few times like a redrive policy,
 * and due jobs from the jobs table run the same job handlers.
 */
export function createBackground(deps: AppDeps) {
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const deliver = (handlerModule: string, body: string, attempt = 1): Promise<void> =>
    track((async () => {
      const handler = await loadModuleHandler<(e: SQSEvent) => Promise<SQSBatchResponse>>(handlerModule);
      const result = await handler(sqsEvent(body)).catch(() => ({ batchItemFailures: [{ itemIdentifier: "all" }] }));
      if (result.batchItemFailures.length && attempt < 5) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        return deliver(handlerModule, body, attempt + 1);
      }
      if (result.batchItemFailures.length) deps.logger.error("message dropped after retries", { handlerModule });
    })());

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

  // The bus rule of the stacks: every Polaris event goes to the index queue's consumer.
  deps.inProcessBus?.connect((event) => void deliver("functions/events/search-indexer.ts", JSON.stringify(event)));
  // The outbox sweeper, at start (rows a crash left unpublished) and then on its interval.
  const sweep = () => track(loadModuleHandler<(input: unknown) => Promise<unknown>>("functions/jobs/outbox-sweep.ts").then((run) => run({})))
    .catch((error) => deps.logger.error("outbox sweep failed", { error: error as Error }));
  void sweep();
  const sweeper = setInterval(() => void sweep(), deps.config.OUTBOX_SWEEP_MS);
  sweeper.unref();

  return {
    /** An S3 event notification, as S3 would put it on the upload-events queue. */
    uploadEvent: (body: string) => void deliver("functions/events/upload-created.ts", body),
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
