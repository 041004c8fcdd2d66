import { Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  BlockPublicAccess, Bucket as CdkBucket, BucketEncryption, ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Bucket, use, type StackContext } from "sst/constructs";
import { Uploads } from "@polaris/core";
import { polarisFunction } from "./lib/functions";
import { jobsByName, type Platform } from "./lib/platform";
import { queueWithDlq } from "./lib/queues";
import { Data } from "./Data";
import { Events } from "./Events";
import { Network } from "./Network";

const UPLOAD_CONSUMER_TIMEOUT_SECONDS = 120;

/**
 * The object store. Browsers PUT (single or multipart, with the SHA-256 checksum signed into the
 * URL) and GET straight from S3 with presigned URLs, so CORS admits the configured origins and
 * exposes ETag (multipart completion) and x-amz-checksum-sha256. ObjectCreated goes to the
 * upload-events queue, whose consumer verifies the upload and creates the file.
 */
export function Storage({ stack, app }: StackContext) {
  const { settings, network } = use(Network);
  const { database } = use(Data);
  const { bus } = use(Events);
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

  const { queue: uploadEvents, dlq: uploadEventsDlq } = queueWithDlq(stack, "upload-events", UPLOAD_CONSUMER_TIMEOUT_SECONDS);

  const bucket = new Bucket(stack, "files", {
    blockPublicACLs: true,
    cors: [{
      id: "browser-uploads",
      allowedMethods: ["GET", "PUT", "HEAD"],
      allowedOrigins: settings.corsOrigins,
      // Presigned PUTs carry content-type, the signed x-amz-checksum-sha256 and SDK headers.
      allowedHeaders: ["*"],
      exposedHeaders: ["ETag", "x-amz-checksum-sha256"],
      maxAge: "1 hour",
    }],
    notifications: {
      // Only presigned uploads complete anything; completion's own copies under blobs/ do not.
      uploaded: { type: "queue", queue: uploadEvents, events: ["object_created"], filters: [{ prefix: Uploads.UPLOAD_KEY_PREFIX }] },
    },
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
        ],
        removalPolicy: removal,
      },
    },
  });
  const files = bucket.cdk.bucket;

  // The Jobs stack comes later; the upload consumer only needs the names (see jobsByName).
  const platform: Platform = { settings, network, database, bucket: files, bus, jobs: jobsByName(stack, app.stage) };
  const uploadCreated = polarisFunction(stack, "UploadCreated", {
    entry: "functions/events/upload-created.ts",
    // Uploads.completeUpload: copies new content to its blob key (S3 computes the copy's SHA-256),
    // verifies size and SHA-256, deletes the upload's object, cancels the session's expiry
    // schedule, writes file.created; the batch handler then publishes the outbox.
    access: { db: true, bucket: ["read", "write", "delete"], events: true, schedules: true },
    timeout: `${UPLOAD_CONSUMER_TIMEOUT_SECONDS} seconds`,
    memorySize: "1024 MB",
  }, platform);
  uploadEvents.addConsumer(stack, {
    function: uploadCreated,
    cdk: { eventSource: { batchSize: 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true } },
  });

  return { bucket: files, uploadEvents, uploadEventsDlq, uploadCreated };
}
