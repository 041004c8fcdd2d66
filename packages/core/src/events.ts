import * as z from "zod/mini";
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./db/schema";

const fileChange = z.object({
  userId: z.int(),
  /** The items the user acted on; `subtree` says whether their descendants changed too. */
  fileIds: z.array(z.int()).check(z.minLength(1)),
  subtree: z.boolean(),
});

const shareChange = z.object({
  userId: z.int(),
  shareIdentities: z.array(z.string()).check(z.minLength(1)),
});

const shareSaved = z.object({
  /** The saver; the copies are theirs. */
  userId: z.int(),
  shareIdentity: z.string(),
  fileIds: z.array(z.int()).check(z.minLength(1)),
});

/** A zip job waiting for its worker (the zip-worker consumer matches this type). */
const zipRequested = z.object({ jobId: z.uuid() });

/** Every domain event, declared once with its payload schema. */
export const EventSchemas = {
  "file.created": fileChange,
  "file.renamed": fileChange,
  "file.moved": fileChange,
  "file.trashed": fileChange,
  /** New content of a file: an upload as a new version, or a version restored. */
  "file.updated": fileChange,
  "file.restored": fileChange,
  "file.purged": fileChange,
  "share.created": shareChange,
  "share.updated": shareChange,
  "share.cancelled": shareChange,
  "share.saved": shareSaved,
  "zip.requested": zipRequested,
} as const;

export type EventType = keyof typeof EventSchemas;
export type EventPayload<T extends EventType> = z.infer<(typeof EventSchemas)[T]>;

let recorded = 0;
/** Events this process has written so far: a request during which it did not move has nothing to publish. */
export const recordedEvents = () => recorded;
/** Counts an event that a statement wrote to the outbox itself (a database function's), as recordEvent counts its own. */
export const countRecordedEvent = () => void recorded++;

/** Writes the event to the outbox in the caller's transaction, so it exists exactly when the change does. */
export async function recordEvent<T extends EventType>(trx: Transaction<Database> | Kysely<Database>, type: T, payload: EventPayload<T>) {
  const checked = EventSchemas[type].parse(payload);
  await trx
    .insertInto("outbox")
    .values({ type, payload: JSON.stringify(checked) })
    .execute();
  recorded++;
}
