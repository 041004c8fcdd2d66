/** The `source` of every Polaris event on the bus; bus consumers match on it. */
export const EVENT_SOURCE = "polaris";

/** Where presigned uploads land in the bucket: only objects created under it are uploads to complete. */
export const UPLOAD_KEY_PREFIX = "uploads/";

/** Where verified content lives, one object per new content (`blobs/<sha256>/<upload>`): thumbnails are made from these. */
export const BLOB_KEY_PREFIX = "blobs/";

/** Receives before a message moves to its queue's dead-letter queue. */
const MAX_RECEIVES = 5;

/** S3 ObjectCreated notifications for keys under `prefix`, put on the consumer's queue. */
export interface S3Source {
  kind: "s3";
  prefix: string;
}

/**
 * Bus events matching `pattern`, put on the consumer's queue. What EventBridge cannot deliver within
 * `retryAttempts` and `maxEventAgeHours` lands in the consumer's DLQ, beside what the handler gave up on.
 */
export interface BusSource {
  kind: "bus";
  /** EventBridge's pattern fields: the event's source and, when given, its type (the outbox event's). */
  pattern: { source: readonly string[]; "detail-type"?: readonly string[] };
  retryAttempts: number;
  maxEventAgeHours: number;
}

/** A fixed rate, no queue: a rule on AWS, a timer in the local profiles (OUTBOX_SWEEP_MS). */
export interface ScheduleSource {
  kind: "schedule";
  rateMinutes: number;
}

interface ConsumerBase {
  /** The Lambda module, as the route and job tables name theirs. */
  handler: string;
  timeoutSeconds: number;
  /** The function's memory on AWS, when it needs other than the stacks' default. */
  memoryMB?: number;
}

export interface QueueConsumer extends ConsumerBase {
  source: S3Source | BusSource;
  /** The queue's name: `<stage>-polaris-<queue>` on AWS, `polaris-<queue>` locally. */
  queue: string;
  dlq: string;
  maxReceives: number;
  /** Lambda's batch: up to `batchSize` messages, gathered for at most `batchingWindowSeconds`. */
  batchSize: number;
  batchingWindowSeconds: number;
  visibilityTimeoutSeconds: number;
}

export interface ScheduledConsumer extends ConsumerBase {
  source: ScheduleSource;
}

export type Consumer = QueueConsumer | ScheduledConsumer;

/** Six runs of the handler before a message shows again, as Lambda's SQS integration recommends. */
const visibilityFor = (timeoutSeconds: number) => 6 * timeoutSeconds;

const queueConsumer = (c: Omit<QueueConsumer, "dlq" | "maxReceives" | "visibilityTimeoutSeconds">): QueueConsumer => ({
  ...c,
  dlq: `${c.queue}-dlq`,
  maxReceives: MAX_RECEIVES,
  visibilityTimeoutSeconds: visibilityFor(c.timeoutSeconds),
});

/**
 * Every asynchronous consumer: what feeds it, through which queue, and the module that handles it.
 * The stacks, the parity profile's provisioning and dispatcher, and the embedded profile's background
 * are built from this table; delayed jobs (one-time Scheduler schedules) are the job table's.
 */
export const consumerTable = {
  "upload-created": queueConsumer({
    source: { kind: "s3", prefix: UPLOAD_KEY_PREFIX },
    queue: "upload-events",
    batchSize: 10,
    batchingWindowSeconds: 1,
    handler: "functions/events/upload-created.ts",
    timeoutSeconds: 120,
  }),
  "search-indexer": queueConsumer({
    source: { kind: "bus", pattern: { source: [EVENT_SOURCE] }, retryAttempts: 20, maxEventAgeHours: 24 },
    queue: "index",
    batchSize: 25,
    batchingWindowSeconds: 2,
    handler: "functions/events/search-indexer.ts",
    timeoutSeconds: 60,
  }),
  // Packs a zip job's files into one object (core/zip/run.ts): one job per message, up to Lambda's
  // 15 minutes, which ZIP_MAX_BYTES (10 GiB) fits at S3's ~100 MB/s per stream; memory buys network
  // and CPU for CRC-32, the stream itself holds a part (16 MiB) and a read buffer.
  "zip-worker": queueConsumer({
    source: { kind: "bus", pattern: { source: [EVENT_SOURCE], "detail-type": ["zip.requested"] }, retryAttempts: 20, maxEventAgeHours: 24 },
    queue: "zip",
    batchSize: 1,
    batchingWindowSeconds: 0,
    handler: "functions/events/zip-worker.ts",
    timeoutSeconds: 900,
    memoryMB: 1024,
  }),
  // Small WebP thumbnails of new image content (Thumbnails.generate); a corrupt image is acknowledged, never retried.
  thumbnail: queueConsumer({
    source: { kind: "s3", prefix: BLOB_KEY_PREFIX },
    queue: "thumbnail-events",
    batchSize: 5,
    batchingWindowSeconds: 1,
    handler: "functions/events/thumbnail.ts",
    timeoutSeconds: 60,
  }),
  // Republishes outbox rows no request published (a crash between commit and publish).
  "outbox-sweep": {
    source: { kind: "schedule", rateMinutes: 1 },
    handler: "functions/jobs/outbox-sweep.ts",
    timeoutSeconds: 50,
  },
} satisfies Record<string, Consumer>;

export type ConsumerName = keyof typeof consumerTable;

const entries = () => Object.entries(consumerTable) as [ConsumerName, Consumer][];

/** The consumers fed through a queue, by name. */
export const queueConsumers = () => entries().filter((e): e is [ConsumerName, QueueConsumer] => "queue" in e[1]);

/** The consumers run on a schedule, by name. */
export const scheduledConsumers = () => entries().filter((e): e is [ConsumerName, ScheduledConsumer] => e[1].source.kind === "schedule");

/** The queue consumers fed by S3 notifications (`"s3"`) or by the bus (`"bus"`), by name. */
export const consumersFedBy = <K extends (S3Source | BusSource)["kind"]>(kind: K) =>
  queueConsumers().filter(
    (e): e is [ConsumerName, QueueConsumer & { source: Extract<S3Source | BusSource, { kind: K }> }] => e[1].source.kind === kind,
  );

/** The variable carrying a queue's URL in the local profiles: `upload-events` → `UPLOAD_EVENTS_QUEUE_URL`. */
export const queueUrlVariable = (consumer: QueueConsumer): `${string}_QUEUE_URL` =>
  `${consumer.queue.replace(/-/g, "_").toUpperCase()}_QUEUE_URL`;
