import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import * as z from "zod/mini";
import { Search } from "@polaris/core";
import { emitMetrics, getDeps, sqsBatchHandler } from "@polaris/runtime";

/** The EventBridge event an SQS target receives as the message body. */
const eventBridgeEvent = z.object({ "detail-type": z.string(), detail: z.unknown(), time: z.optional(z.string()) });

/** Domain events (EventBridge → SQS) keep the search index in step with the database. */
export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = sqsBatchHandler(async (body) => {
  const deps = await getDeps();
  const event = eventBridgeEvent.parse(JSON.parse(body));
  const result = await Search.indexChange(deps, event["detail-type"], event.detail);
  deps.logger.debug("indexed", { type: event["detail-type"], ...result });
  // How far the index trails the change: from the event's time to now (the dashboard's indexer lag).
  const lagMs = event.time ? Date.now() - Date.parse(event.time) : NaN;
  if (result.indexed > 0 && Number.isFinite(lagMs)) {
    emitMetrics(deps.config, {}, [{ name: "IndexerLag", unit: "Milliseconds", value: lagMs }]);
  }
});
