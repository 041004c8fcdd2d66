import type { ISecurityGroup, IVpc } from "aws-cdk-lib/aws-ec2";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { Config } from "sst/constructs";
import type { StageSettings } from "../settings";

/** The job functions Scheduler may invoke, by the name the application schedules them under. */
export const JOBS = {
  trashPurge: { handler: "functions/jobs/trash-purge.ts", env: "JOB_TRASH_PURGE_ARN", slug: "trash-purge" },
  uploadExpiry: { handler: "functions/jobs/upload-expiry.ts", env: "JOB_UPLOAD_EXPIRY_ARN", slug: "upload-expiry" },
  shareExpiry: { handler: "functions/jobs/share-expiry.ts", env: "JOB_SHARE_EXPIRY_ARN", slug: "share-expiry" },
} as const;
export type JobName = keyof typeof JOBS;

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
    const name = `polaris-${stage}-job-${JOBS[job].slug}`;
    if (name.length > 64) throw new Error(`stage name "${stage}" is too long for the function name ${name}`);
    return name;
  },
};
