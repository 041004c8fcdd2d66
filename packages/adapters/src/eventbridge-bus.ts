import { randomUUID } from "node:crypto";
import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import type { EventBus, OutboxEvent } from "@polaris/core";

/** The `source` of every Polaris event; the bus rules match on it. */
export const EVENT_SOURCE = "polaris";
/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX = 10;

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

/** Domain events to an EventBridge bus, ten per PutEvents; entries the bus rejects are reported, not thrown. */
export function createEventBridgeBus(options: { busName: string; client: EventBridgeClientConfig }): EventBus & { client: EventBridgeClient } {
  const client = new EventBridgeClient(options.client);
  return {
    client,
    async publish(events) {
      const failed: number[] = [];
      for (let i = 0; i < events.length; i += PUT_EVENTS_MAX) {
        const chunk = events.slice(i, i + PUT_EVENTS_MAX);
        try {
          const out = await client.send(new PutEventsCommand({
            Entries: chunk.map((event) => ({
              EventBusName: options.busName,
              Source: EVENT_SOURCE,
              DetailType: event.type,
              Detail: JSON.stringify(eventDetail(event)),
              Time: event.time,
            })),
          }));
          // Results come back in request order; a failed entry carries an ErrorCode.
          chunk.forEach((event, index) => {
            if (!out.Entries?.[index] || out.Entries[index].ErrorCode) failed.push(event.id);
          });
        } catch {
          // The call failed as a whole (throttling, network): these rows stay unsent for the next publisher.
          failed.push(...chunk.map((event) => event.id));
        }
      }
      return { failed };
    },
  };
}
