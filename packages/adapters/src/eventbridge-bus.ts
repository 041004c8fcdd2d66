import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig } from "@aws-sdk/client-eventbridge";
import { EVENT_SOURCE } from "@polaris/contract";
import type { EventBus } from "@polaris/core";
import { eventDetail } from "./event-envelope";

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_MAX = 10;

/** Domain events to an EventBridge bus, ten per PutEvents; entries the bus rejects are reported, not thrown. */
export function createEventBridgeBus(options: {
  busName: string;
  client: EventBridgeClientConfig;
}): EventBus & { client: EventBridgeClient } {
  const client = new EventBridgeClient(options.client);
  return {
    client,
    async publish(events) {
      const failed: number[] = [];
      for (let i = 0; i < events.length; i += PUT_EVENTS_MAX) {
        const chunk = events.slice(i, i + PUT_EVENTS_MAX);
        try {
          const out = await client.send(
            new PutEventsCommand({
              Entries: chunk.map((event) => ({
                EventBusName: options.busName,
                Source: EVENT_SOURCE,
                DetailType: event.type,
                Detail: JSON.stringify(eventDetail(event)),
                Time: event.time,
              })),
            }),
          );
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
