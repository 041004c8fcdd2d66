import type { EventBus } from "@polaris/core";
import { eventBridgeEnvelope } from "./event-envelope";

export type EventBridgeEvent = ReturnType<typeof eventBridgeEnvelope>;

/**
 * The embedded profile's bus: hands each event, in the JSON EventBridge would deliver, to the consumer
 * the host connected (which queues it like SQS and returns at once). Until one is connected nothing is
 * accepted, so the rows stay in the outbox for the sweeper.
 */
export function createInProcessBus(): EventBus & { connect(consumer: (event: EventBridgeEvent) => void): void; connected(): boolean } {
  let consumer: ((event: EventBridgeEvent) => void) | undefined;
  return {
    connect(next) {
      consumer = next;
    },
    connected: () => consumer !== undefined,
    async publish(events) {
      if (!consumer) return { failed: events.map((event) => event.id) };
      for (const event of events) consumer(eventBridgeEnvelope(event, { account: "000000000000", region: "local" }));
      return { failed: [] };
    },
  };
}
