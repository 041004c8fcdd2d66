import { randomUUID } from "node:crypto";
import { EVENT_SOURCE } from "@polaris/contract";
import type { OutboxEvent } from "@polaris/core";

/** The event's `detail`: its payload plus the outbox id, which lets consumers recognise a redelivery. */
export const eventDetail = (event: OutboxEvent) => ({ ...event.payload, outboxId: event.id });

/** The JSON EventBridge hands a target (the body of the SQS message when the target is a queue). */
export const eventBridgeEnvelope = (event: OutboxEvent, where: { account: string; region: string }) => ({
  version: "0",
  id: randomUUID(),
  "detail-type": event.type,
  source: EVENT_SOURCE,
  account: where.account,
  time: event.time.toISOString().replace(/\.\d{3}Z$/, "Z"),
  region: where.region,
  resources: [] as string[],
  detail: eventDetail(event),
});
