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
  jobFunction: (stage: string, job: JobName) => {
    const name = `polaris-${stage}-job-${jobSlug(job)}`;
    if (name.length > 64) throw new Error(`stage name "${stage}" is too long for the function name ${name}`);
    return name;
  },
};
