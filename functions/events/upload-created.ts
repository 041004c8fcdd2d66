import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Uploads } from "@polaris/core";
import { emitMetrics, getDeps, sqsBatchHandler } from "@polaris/runtime";

interface S3EventRecord {
  eventName?: string;
  s3?: { object?: { key?: string } };
}

/** S3 event keys are form-encoded: '+' is a space, the rest percent-encoded. */
const objectKeyOf = (record: S3EventRecord) => decodeURIComponent((record.s3?.object?.key ?? "").replace(/\+/g, " "));

/** S3 ObjectCreated notifications (through SQS) complete uploads; test events and unknown keys are ignored. */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = sqsBatchHandler(async (body) => {
  const deps = await getDeps();
  const records: S3EventRecord[] = (JSON.parse(body) as { Records?: S3EventRecord[] }).Records ?? [];
  for (const record of records) {
    if (!record.eventName?.startsWith("ObjectCreated:")) continue;
    const result = await Uploads.completeUpload(deps, objectKeyOf(record));
    deps.logger.info("upload notification", { status: result.status });
    if (result.status === "completed" && result.uploadedBytes !== undefined) {
      emitMetrics(deps.config, {}, [{ name: "UploadedBytes", unit: "Bytes", value: result.uploadedBytes }]);
    }
  }
});
