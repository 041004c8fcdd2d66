import { ArnFormat, type Stack as CdkStack } from "aws-cdk-lib";
import type { ISecurityGroup, IVpc } from "aws-cdk-lib/aws-ec2";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { Config } from "sst/constructs";
import { jobTable, type JobName } from "@polaris/contract";
import type { StageSettings } from "../settings";

export type { JobName };

/** The job types, from the contract's job table (the scheduler adapters read the same table). */
export const jobNames = () => Object.keys(jobTable) as JobName[];

/** `functions/jobs/trash-purge.ts` → `trash-purge`. */
export const jobSlug = (job: JobName) => jobTable[job].handler.replace(/^.*\//, "").replace(/\.[a-z]+$/, "");

/** The variable that carries a job function's ARN: `trash-purge` → JOB_TRASH_PURGE_ARN. */
export const jobArnVariable = (job: JobName) => `JOB_${jobSlug(job).replace(/-/g, "_").toUpperCase()}_ARN`;

/**
 * Shared handles a function can be granted access to. Each stack adds what it owns; a function
 * asks for a subset through {@link Access} and gets exactly the variables and permissions for it.
 */
export interface Platform {
  settings: StageSettings;
  network: { vpc: IVpc };
  database?: {
    /** `postgres://…@<proxy>/polaris` with the password as a CloudFormation dynamic reference. */
    url: string;
    /** Membership in this group is what lets a function reach the RDS Proxy. */
    clientSecurityGroup: ISecurityGroup;
  };
  kv?: ITable;
  bucket?: IBucket;
  bus?: IEventBus;
  search?: { domainArn: string; url: string; clientSecurityGroup: ISecurityGroup };
  jobs?: {
    scheduleGroupName: string;
    schedulerRoleArn: string;
    /** Computed from the functions' fixed names, so no function depends on another's resource. */
    functionArns: Record<JobName, string>;
  };
  jwtSecret?: InstanceType<typeof Config.Secret>;
}

/** Names that must be known before the resources exist (they break dependency cycles). */
export const names = {
  scheduleGroup: (stage: string) => `polaris-jobs-${stage}`,
  schedulerRole: (stage: string) => {
    const name = `polaris-${stage}-scheduler`;
    if (name.length > 64) throw new Error(`stage name "${stage}" is too long for the role name ${name}`);
    return name;
  },
  jobFunction: (stage: string, job: JobName) => {
    const name = `polaris-${stage}-job-${jobSlug(job)}`;
    if (name.length > 64) throw new Error(`stage name "${stage}" is too long for the function name ${name}`);
    return name;
  },
};

/**
 * What a function needs to schedule jobs, from names alone: the group, the role Scheduler assumes
 * and each job function's ARN. Any stack can hand these out, including stacks deployed before the
 * Jobs stack that creates the resources (the upload consumer cancels expiry schedules).
 */
export function jobsByName(stack: CdkStack, stage: string): NonNullable<Platform["jobs"]> {
  return {
    scheduleGroupName: names.scheduleGroup(stage),
    schedulerRoleArn: stack.formatArn({ service: "iam", region: "", resource: "role", resourceName: names.schedulerRole(stage) }),
    functionArns: Object.fromEntries(
      jobNames().map((job) => [
        job,
        stack.formatArn({
          service: "lambda",
          resource: "function",
          resourceName: names.jobFunction(stage, job),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ]),
    ) as Record<JobName, string>,
  };
}
