import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket as CdkBucket, BucketEncryption, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Bucket, use, type StackContext } from "sst/constructs";
import { BLOB_KEY_PREFIX, consumerTable, ZIP_KEY_PREFIX } from "@polaris/contract";
import { polarisFunction } from "./lib/functions";
import { jobsByName, type Platform } from "./lib/platform";
import { consumerQueues } from "./lib/queues";
import { SHARP_BUNDLING } from "./lib/sharp";
import { Data } from "./Data";
import { Events } from "./Events";
import { Network } from "./Network";

/**
 * The object store. Browsers PUT (single or multipart, with the SHA-256 checksum signed into the
 * URL) and GET straight from S3 with presigned URLs, so CORS admits the configured origins and
 * exposes ETag (multipart completion) and x-amz-checksum-sha256. ObjectCreated goes to the queue
 * of each S3 consumer of the consumer table (the upload consumer verifies the upload, creates the file).
 */
export function Storage({ stack, app }: StackContext) {
  const { settings, network } = use(Network);
  const { database } = use(Data);
  const { bus, busQueues } = use(Events);
  const removal = settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

  const accessLogs = new CdkBucket(stack, "AccessLogs", {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: "expire-access-logs", expiration: Duration.days(90) }],
    removalPolicy: removal,
    autoDeleteObjects: false,
  });

  const s3Queues = consumerQueues(stack, "s3");

  const bucket = new Bucket(stack, "files", {
    blockPublicACLs: true,
    cors: [
      {
        id: "browser-uploads",
        allowedMethods: ["GET", "PUT", "HEAD"],
        allowedOrigins: settings.corsOrigins,
        // Presigned PUTs carry content-type, the signed x-amz-checksum-sha256 and SDK headers.
        allowedHeaders: ["*"],
        exposedHeaders: ["ETag", "x-amz-checksum-sha256"],
        maxAge: "1 hour",
      },
    ],
    // Filtered by prefix: only presigned uploads complete anything; completion's own copies under blobs/ get thumbnails.
    notifications: Object.fromEntries(
      s3Queues.queues.map(({ consumer, queue }) => [
        consumer.queue,
        {
          type: "queue" as const,
          queue,
          events: ["object_created" as const],
          filters: [{ prefix: consumer.source.prefix }],
        },
      ]),
    ),
    cdk: {
      bucket: {
        encryption: BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        versioned: false,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: "files/",
        lifecycleRules: [
          // Parts of uploads nobody completes cost storage until aborted.
          { id: "abort-incomplete-multipart", abortIncompleteMultipartUploadAfter: Duration.days(1) },
          // The zip.expire job deletes each zip after ZIP_TTL_SECONDS (a day); this catches any it missed.
          { id: "expire-zips", prefix: ZIP_KEY_PREFIX, expiration: Duration.days(7) },
        ],
        removalPolicy: removal,
      },
    },
  });
  const files = bucket.cdk.bucket;

  // The Jobs stack comes later; the upload consumer only needs the names (see jobsByName).
  const platform: Platform = { settings, network, database, bucket: files, bus, jobs: jobsByName(stack, app.stage) };
  const uploadConsumer = consumerTable["upload-created"];
  const uploadCreated = polarisFunction(
    stack,
    "UploadCreated",
    {
      entry: uploadConsumer.handler,
      // Uploads.completeUpload: copies new content to its blob key (S3 computes the copy's SHA-256),
      // verifies size and SHA-256, deletes the upload's object, cancels the session's expiry
      // schedule, writes file.created; the batch handler then publishes the outbox.
      access: { db: true, bucket: ["read", "write", "delete"], events: true, schedules: true },
      timeout: `${uploadConsumer.timeoutSeconds} seconds`,
      memorySize: "1024 MB",
    },
    platform,
  );
  s3Queues.consume(stack, "upload-created", uploadCreated);

  const thumbnailConsumer = consumerTable.thumbnail;
  const thumbnail = polarisFunction(
    stack,
    "Thumbnail",
    {
      entry: thumbnailConsumer.handler,
      // Thumbnails.generate: reads the new blob (head, ranges), writes thumbnails/<sha256>.webp, records it;
      // the batch handler publishes pending outbox rows, as every consumer does (events).
      access: { db: true, bucket: ["read", "write"], bucketKeys: { read: BLOB_KEY_PREFIX, write: "thumbnails/" }, events: true },
      timeout: `${thumbnailConsumer.timeoutSeconds} seconds`,
      // libvips decodes a whole image in memory (up to 40 MiB of source, 50 megapixels).
      memorySize: "1536 MB",
      nodejs: SHARP_BUNDLING,
    },
    platform,
  );
  s3Queues.consume(stack, "thumbnail", thumbnail);

  const zipConsumer = consumerTable["zip-worker"];
  const zipWorker = polarisFunction(
    stack,
    "ZipWorker",
    {
      entry: zipConsumer.handler,
      // Zip.runZip: streams blobs into zips/<job>.zip by multipart upload (aborting a dead run's parts),
      // schedules zip.expire; the batch handler publishes pending outbox rows.
      access: {
        db: true,
        bucket: ["read", "write", "multipart"],
        bucketKeys: { read: BLOB_KEY_PREFIX, write: ZIP_KEY_PREFIX, multipart: ZIP_KEY_PREFIX },
        events: true,
        schedules: true,
      },
      timeout: `${zipConsumer.timeoutSeconds} seconds`,
      ...(zipConsumer.memoryMB ? { memorySize: `${zipConsumer.memoryMB} MB` as const } : {}),
    },
    platform,
  );
  busQueues.consume(stack, "zip-worker", zipWorker);

  return { bucket: files, s3Queues, uploadCreated, thumbnail, zipWorker };
}
