import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type * as z from "zod/mini";
import { getDeps, type AppDeps } from "./composition";

/**
 * An SQS consumer that handles each message on its own and reports the failed ones as
 * `batchItemFailures`, so one bad message is retried (then dead-lettered) without blocking the rest.
 */
export function sqsBatchHandler(handleBody: (body: string) => Promise<void>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      try {
        await handleBody(record.body);
      } catch (error) {
        (await getDeps()).logger.error("message failed", { messageId: record.messageId, error: error as Error });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    // The handlers may have committed outbox rows.
    await (await getDeps()).publishEvents();
    return { batchItemFailures: failures };
  };
}

/** A delayed job's entry point: the scheduler's input is validated, then the use case re-checks state itself. */
export function jobHandler<S extends z.ZodMiniType>(input: S, run: (deps: AppDeps, payload: z.output<S>) => Promise<unknown>) {
  return async (event: unknown) => {
    const deps = await getDeps();
    const result = await run(deps, input.parse(event));
    await deps.publishEvents();
    deps.logger.debug("job done", { result: result as Record<string, unknown> });
    return result;
  };
}
