import { createHash } from "node:crypto";

/** Keys are per caller and route: one client's key never replays another's answer. */
export const idempotencyScope = (userId: number | undefined, path: string) => `${userId ?? "anonymous"}:${path}`;

/** What a retry must repeat exactly (after validation) to be answered from its key. */
export const requestHash = (body: unknown, query: unknown) =>
  createHash("sha256")
    .update(JSON.stringify([body ?? null, query ?? null]))
    .digest("hex");
