import * as z from "zod/mini";
import { Outbox } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

/** Every minute (an EventBridge schedule on AWS, a timer in the embedded profile): republish what no request did. */
export const handler = jobHandler(z.unknown(), (deps) => Outbox.sweepOutbox(deps));
