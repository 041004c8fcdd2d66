import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import pLimit from "p-limit";
import { createSharpThumbnailer } from "@polaris/adapters/sharp-thumbnailer";
import { Thumbnails } from "@polaris/core";
import { emitMetrics, getDeps, sqsBatchHandler } from "@polaris/runtime";

interface S3EventRecord {
  eventName?: string;
  s3?: { object?: { key?: string } };
}

/** S3 event keys are form-encoded: '+' is a space, the rest percent-encoded. */
const objectKeyOf = (record: S3EventRecord) => decodeURIComponent((record.s3?.object?.key ?? "").replace(/\+/g, " "));

const thumbnailer = createSharpThumbnailer();
// One image decoded at a time per process: a Lambda container takes one batch at a time anyway, and the
// embedded profile, which delivers every notification at once, must not hold a hundred photos in memory.
const oneAtATime = pLimit(1);

/** S3 ObjectCreated under blobs/ (through SQS): new content gets its thumbnail if it is an image. Only an outage fails a message. */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = sqsBatchHandler(async (body) => {
  const deps = await getDeps();
  const records: S3EventRecord[] = (JSON.parse(body) as { Records?: S3EventRecord[] }).Records ?? [];
  for (const record of records) {
    if (!record.eventName?.startsWith("ObjectCreated:")) continue;
    const outcome = await oneAtATime(() => Thumbnails.generate(deps, thumbnailer, objectKeyOf(record)));
    if (outcome === "unreadable" || outcome === "mismatch") deps.logger.warn("no thumbnail", { outcome });
    else deps.logger.debug("thumbnail", { outcome });
    if (outcome === "made") emitMetrics(deps.config, {}, [{ name: "ThumbnailsMade", unit: "Count", value: 1 }]);
  }
});
