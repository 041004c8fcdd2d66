import { join, resolve } from "node:path";
import { localStoreCredentials } from "@polaris/local/object-store/credentials";
import { corsRules, startObjectStore } from "@polaris/local/object-store/server";

// `npm run s3`: the object store on its own port, for a Polaris (or any S3 client) pointed at it
// with S3_ENDPOINT. It sends no notifications, as MinIO or Garage would not: uploads then complete
// through the client's callback. Settings by environment, as for `npm start`.
const env = process.env;
const home = resolve(env.POLARIS_HOME ?? ".polaris");
const credentials = localStoreCredentials(home);
const store = await startObjectStore({
  directory: join(home, "objects-standalone"),
  bucket: env.S3_BUCKET ?? "polaris-files",
  credentials,
  region: env.AWS_REGION ?? "us-east-1",
  cors: corsRules(env.CORS_ORIGINS ?? "*"),
  port: Number(env.S3_PORT ?? 9000),
  host: env.HOST ?? "127.0.0.1",
});
console.log(`Polaris object store: ${store.endpoint} (bucket ${env.S3_BUCKET ?? "polaris-files"}, data in ${home}/objects-standalone)
Point Polaris at it:
  S3_ENDPOINT=${store.endpoint} S3_FORCE_PATH_STYLE=true S3_TRUST_CHECKSUMS=true AWS_ACCESS_KEY_ID=${credentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey} npm start`);
const stop = async () => {
  await store.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
