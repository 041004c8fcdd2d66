import { RemovalPolicy, Stack as CdkStack, type Duration } from "aws-cdk-lib";
import { SubnetType, type ISecurityGroup } from "aws-cdk-lib/aws-ec2";
import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { Function, type FunctionProps } from "sst/constructs";
import { BUNDLING } from "./observability";
import { jobArnVariable, type JobName, type Platform } from "./platform";

export type BucketAccess = "read" | "write" | "delete" | "multipart";

/**
 * What a function touches. Each entry sets the variables the composition root reads and grants
 * the narrowest IAM actions on the one resource (or puts the function in the security group
 * that the resource admits); nothing is granted on `*`.
 */
export interface Access {
  /** DATABASE_URL; VPC placement and the security group the RDS Proxy admits. */
  db?: boolean;
  /** KV_TABLE (idempotency keys, rate-limit counters): item reads and writes. */
  kv?: boolean;
  /** S3_BUCKET and object-level actions; "multipart" = list parts and abort. */
  bucket?: BucketAccess[];
  /** Narrows a kind of bucket access to the keys under a prefix (the thumbnail function reads blobs/, writes thumbnails/). */
  bucketKeys?: Partial<Record<BucketAccess, string>>;
  /** EVENT_BUS_NAME and events:PutEvents on that bus. */
  events?: boolean;
  /** OPENSEARCH_URL and es:ESHttp* on the domain: read = search, write = index and delete. */
  search?: "read" | "write";
  /** SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, JOB_*_ARN: create and delete one-time schedules in the group. */
  schedules?: boolean;
  /** JWT_SECRET from the SST secret (sign and verify access tokens). */
  jwt?: boolean;
}

export interface FunctionSpec {
  /** Entry module relative to the repository root, exporting `handler`: `functions/http/user/login.ts`. */
  entry: string;
  access: Access;
  description?: string;
  timeout?: FunctionProps["timeout"];
  memorySize?: FunctionProps["memorySize"];
  /** Fixed name, for functions whose ARN others must know before they exist (the jobs). */
  functionName?: string;
  environment?: Record<string, string>;
  /** Migrations run inside a CloudFormation custom resource, which cannot wait for a laptop. */
  enableLiveDev?: boolean;
  /** Files the handler reads at run time, shipped beside its bundle (paths from the repository root, kept). */
  files?: readonly string[];
  /** Bundling other than the app's (the thumbnail function's native sharp). */
  nodejs?: FunctionProps["nodejs"];
  /** Asynchronous invocations (the jobs): retries, then this dead-letter queue. */
  async?: { deadLetterQueue: IQueue; retryAttempts: number; maxEventAge: Duration };
}

/** `functions/http/user/login.ts` → `functions/http/user/login.handler` (SST's handler notation). */
export const handlerOf = (entry: string) => {
  if (!/\.(ts|mts|js|mjs)$/.test(entry)) throw new Error(`handler module "${entry}" must be a .ts or .js file`);
  return entry.replace(/\.(ts|mts|js|mjs)$/, ".handler");
};

/**
 * Copies SST's secret variable to the name the composition root reads. SST binds a
 * `Config.Secret` as SST_Secret_value_<NAME>, and with `prefetchSecrets` the deploy writes the
 * value there; the application only knows JWT_SECRET. Runs before any bundled module.
 */
export const JWT_SECRET_BANNER = [
  "{const v=process.env.SST_Secret_value_JWT_SECRET;",
  'if(v&&v!=="__FETCH_FROM_SSM__"&&!process.env.JWT_SECRET)process.env.JWT_SECRET=v;}',
].join("");

const ids = new WeakMap<Construct, Set<string>>();

/** The access each Polaris function was created with (read by the cdk-nag suppressions and the tests). */
export const accessOf = new WeakMap<Function, Access>();

/**
 * The one way Polaris creates a Lambda function: the app-wide defaults (see observability.ts)
 * plus a log group with the stage's retention and exactly the access the spec asks for.
 */
export function polarisFunction(scope: Construct, id: string, spec: FunctionSpec, platform: Platform): Function {
  const seen = ids.get(scope.node.root) ?? new Set<string>();
  ids.set(scope.node.root, seen);
  if (seen.has(id)) throw new Error(`function id "${id}" is used twice`);
  seen.add(id);

  const { access } = spec;
  const { settings } = platform;
  const securityGroups: ISecurityGroup[] = [];
  if (access.db) securityGroups.push(need(platform.database, "database", id).clientSecurityGroup);
  if (access.search) securityGroups.push(need(platform.search, "search", id).clientSecurityGroup);
  const inVpc = securityGroups.length > 0;

  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: settings.logRetentionDays as RetentionDays,
    removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  // Only keys with a value: SST merges these over the app defaults, and an undefined would win.
  const defined = <T extends object>(props: T) => Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as T;
  const fn = new Function(
    scope,
    id,
    defined<FunctionProps>({
      handler: handlerOf(spec.entry),
      description: spec.description ?? spec.entry,
      functionName: spec.functionName,
      timeout: spec.timeout,
      memorySize: spec.memorySize,
      logGroup,
      copyFiles: spec.files?.map((from) => ({ from, to: from })),
      environment: { ...environmentFor(access, platform), ...spec.environment },
      ...(access.jwt ? { nodejs: { ...BUNDLING, banner: JWT_SECRET_BANNER }, prefetchSecrets: true } : {}),
      ...(spec.nodejs ? { nodejs: spec.nodejs } : {}),
      ...(inVpc ? { vpc: platform.network.vpc, vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }, securityGroups } : {}),
      ...(spec.enableLiveDev === false ? { enableLiveDev: false } : {}),
      // Under `sst dev`, SST sets retryAttempts to 0 for live stubs; its value wins there.
      ...(spec.async ?? {}),
    }),
  );
  grant(fn, access, platform);
  accessOf.set(fn, access);
  if (access.jwt) fn.bind([need(platform.jwtSecret, "jwtSecret", id)]);
  return fn;
}

function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw new Error(`function "${id}" needs ${what}, which no earlier stack provides`);
  return value;
}

/** The variables the composition root reads (packages/runtime/src/config.ts) for this access. */
function environmentFor(access: Access, p: Platform): Record<string, string> {
  const env: Record<string, string> = {};
  if (access.db) {
    env.DATABASE_URL = need(p.database, "database", "").url;
    // One request at a time per container; RDS Proxy multiplexes the connections.
    env.DATABASE_POOL_SIZE = "2";
    // The deploy applies migrations once (functions/jobs/migrate.ts); containers don't race to.
    env.MIGRATE_ON_START = "false";
  }
  if (access.kv) env.KV_TABLE = need(p.kv, "kv", "").tableName;
  if (access.bucket?.length) env.S3_BUCKET = need(p.bucket, "bucket", "").bucketName;
  if (access.events) env.EVENT_BUS_NAME = need(p.bus, "bus", "").eventBusName;
  if (access.search) env.OPENSEARCH_URL = need(p.search, "search", "").url;
  if (access.schedules) {
    const jobs = need(p.jobs, "jobs", "");
    env.SCHEDULE_GROUP = jobs.scheduleGroupName;
    env.SCHEDULER_ROLE_ARN = jobs.schedulerRoleArn;
    for (const [job, arn] of Object.entries(jobs.functionArns)) env[jobArnVariable(job as JobName)] = arn;
  }
  return env;
}

const allow = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
  new PolicyStatement({ effect: Effect.ALLOW, actions, resources, conditions });

/** The IAM side of {@link Access}: each statement names its resource. */
export function grant(fn: Function, access: Access, p: Platform) {
  const statements: PolicyStatement[] = [];
  if (access.kv) {
    statements.push(
      allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
        [need(p.kv, "kv", fn.id).tableArn],
      ),
    );
  }
  if (access.bucket?.length) {
    const bucket = need(p.bucket, "bucket", fn.id);
    const objectsFor = (kind: BucketAccess) => bucket.arnForObjects(`${access.bucketKeys?.[kind] ?? ""}*`);
    const kinds = new Set(access.bucket);
    if (kinds.has("read")) {
      statements.push(allow(["s3:GetObject", "s3:GetObjectAttributes"], [objectsFor("read")]));
      // Without ListBucket, S3 answers HEAD of a missing key with 403 instead of 404.
      statements.push(allow(["s3:ListBucket"], [bucket.bucketArn]));
    }
    // PutObject also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
    if (kinds.has("write")) statements.push(allow(["s3:PutObject"], [objectsFor("write")]));
    if (kinds.has("delete")) statements.push(allow(["s3:DeleteObject"], [objectsFor("delete")]));
    if (kinds.has("multipart"))
      statements.push(allow(["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"], [objectsFor("multipart")]));
  }
  if (access.events) statements.push(allow(["events:PutEvents"], [need(p.bus, "bus", fn.id).eventBusArn]));
  if (access.search) {
    const read = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost"];
    const write = [...read, "es:ESHttpPut", "es:ESHttpDelete", "es:ESHttpPatch"];
    statements.push(allow(access.search === "write" ? write : read, [`${need(p.search, "search", fn.id).domainArn}/*`]));
  }
  if (access.schedules) {
    const jobs = need(p.jobs, "jobs", fn.id);
    const stack = CdkStack.of(fn);
    statements.push(
      allow(
        ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "scheduler:GetSchedule"],
        [stack.formatArn({ service: "scheduler", resource: "schedule", resourceName: `${jobs.scheduleGroupName}/*` })],
      ),
    );
    statements.push(
      allow(["iam:PassRole"], [jobs.schedulerRoleArn], { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } }),
    );
  }
  if (statements.length) fn.attachPermissions(statements);
}
