import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import * as z from "zod/mini";
import { Zip } from "@polaris/core";
import { emitMetrics, getDeps, sqsBatchHandler } from "@polaris/runtime";

/** The EventBridge event (zip.requested) an SQS target receives as the message body. */
const zipRequested = z.object({ detail: z.object({ jobId: z.uuid() }) });

/** Packs the zip job the event names (core/zip/run.ts); a failure is retried by the queue, then dead-lettered. */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = sqsBatchHandler(async (body) => {
  const deps = await getDeps();
  const { jobId } = zipRequested.parse(JSON.parse(body)).detail;
  const started = Date.now();
  const result = await Zip.runZip(deps, jobId);
  deps.logger.info("zip job", { jobId, ...result });
  if (result.status === "done") {
    emitMetrics(deps.config, {}, [
      { name: "ZipBytes", unit: "Bytes", value: result.zipBytes },
      { name: "ZipMilliseconds", unit: "Milliseconds", value: Date.now() - started },
    ]);
  }
});
