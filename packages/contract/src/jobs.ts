/** Delayed job types and the function each one runs: the scheduler adapters and the stacks read this table. */
export const jobTable = {
  "trash.purge": { handler: "functions/jobs/trash-purge.ts" },
  "upload.expire": { handler: "functions/jobs/upload-expiry.ts" },
  "share.expire": { handler: "functions/jobs/share-expiry.ts" },
  "zip.expire": { handler: "functions/jobs/zip-expiry.ts" },
  "version.prune": { handler: "functions/jobs/version-prune.ts" },
} as const;

export type JobName = keyof typeof jobTable;

/** The variable carrying a job function's ARN on AWS, from its module: `functions/jobs/trash-purge.ts` → `JOB_TRASH_PURGE_ARN`. */
export const jobArnVariable = (job: JobName): `JOB_${string}_ARN` => {
  const module = jobTable[job].handler.replace(/^.*\//, "").replace(/\.ts$/, "");
  return `JOB_${module.replace(/-/g, "_").toUpperCase()}_ARN`;
};
