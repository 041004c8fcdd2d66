import { Duration } from "aws-cdk-lib";
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import { QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Queue, use, type StackContext } from "sst/constructs";
import { polarisFunction, type Access } from "./lib/functions";
import { jobNames, jobSlug, jobsByName, names, type JobName, type Platform } from "./lib/platform";
import { jobTable, ZIP_KEY_PREFIX } from "@polaris/contract";
import { Data } from "./Data";
import { Events } from "./Events";
import { Network } from "./Network";
import { Storage } from "./Storage";

/** What each job of the contract's job table touches: jobs re-check the current state before they act. */
const JOB_ACCESS: Record<string, Access> = {
  // Purges a trash batch: rows, blob references, objects nobody references any more.
  "trash.purge": { db: true, bucket: ["delete"], events: true },
  // Aborts an expired upload session: the multipart upload or the staging object, the reservation.
  "upload.expire": { db: true, bucket: ["delete", "multipart"], events: true },
  // Marks an expired share as such.
  "share.expire": { db: true, events: true },
  // Prunes a file's previous versions past retention: rows, blob references, objects nobody references; schedules itself again.
  "version.prune": { db: true, bucket: ["delete"], events: true, schedules: true },
  // Deletes a finished zip past its time.
  "zip.expire": { db: true, bucket: ["delete"], bucketKeys: { delete: ZIP_KEY_PREFIX }, events: true },
};
// Every job publishes the pending outbox rows when it is done (runtime jobHandler): hence events.

const accessOfJob = (job: JobName) => {
  const access = JOB_ACCESS[job];
  if (!access) throw new Error(`job "${job}" of the contract's job table has no access declared in stacks/Jobs.ts`);
  return access;
};

/**
 * Delayed work: the application creates one-time `at(...)` schedules in this group (deleted after
 * completion) that Scheduler delivers, as the role below, to the job functions.
 *
 * The job functions have fixed names, so their ARNs are known as plain strings: the scheduler
 * role, the API functions that schedule jobs (JOB_*_ARN) and the jobs themselves can all name
 * them without a dependency on the functions' resources, which would otherwise form cycles.
 */
export function Jobs({ stack, app }: StackContext) {
  const { settings, network } = use(Network);
  const { database } = use(Data);
  const { bus } = use(Events);
  const { bucket } = use(Storage);

  const jobs = jobsByName(stack, app.stage);
  const { scheduleGroupName, functionArns } = jobs;
  const group = new CfnScheduleGroup(stack, "ScheduleGroup", { name: scheduleGroupName });
  const groupArn = group.attrArn;

  // Scheduler may assume this role only for schedules of this account and this group.
  const schedulerRole = new Role(stack, "SchedulerRole", {
    roleName: names.schedulerRole(app.stage),
    description: "EventBridge Scheduler: invoke the Polaris job functions, nothing else",
    assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
      conditions: {
        StringEquals: { "aws:SourceAccount": stack.account },
        ArnLike: {
          "aws:SourceArn": stack.formatArn({ service: "scheduler", resource: "schedule", resourceName: `${scheduleGroupName}/*` }),
        },
      },
    }),
    inlinePolicies: {
      invokeJobs: new PolicyDocument({
        statements: [
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ["lambda:InvokeFunction"],
            resources: Object.values(functionArns),
          }),
        ],
      }),
    },
  });

  const platform: Platform = { settings, network, database, bucket, bus, jobs };

  // Invocations that fail after Lambda's own retries are kept here (and alarmed on).
  const jobsDlq = new Queue(stack, "jobs-dlq", {
    cdk: { queue: { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) } },
  });
  const functions = Object.fromEntries(
    jobNames().map((job) => {
      const fn = polarisFunction(
        stack,
        `Job-${jobSlug(job)}`,
        {
          entry: jobTable[job].handler,
          access: accessOfJob(job),
          functionName: names.jobFunction(app.stage, job),
          timeout: "5 minutes",
          memorySize: "512 MB",
          // Scheduler invokes asynchronously: two Lambda retries, then the DLQ.
          async: { deadLetterQueue: jobsDlq.cdk.queue, retryAttempts: 2, maxEventAge: Duration.hours(6) },
        },
        platform,
      );
      return [job, fn];
    }),
  ) as Record<JobName, import("sst/constructs").Function>;

  stack.addOutputs({ ScheduleGroup: scheduleGroupName, SchedulerRoleArn: schedulerRole.roleArn });
  return { jobs, schedulerRole, groupArn, functions, jobsDlq };
}
