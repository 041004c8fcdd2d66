/** Delayed job types and the function each one runs: the scheduler adapters and the stacks read this table. */
export const jobTable = {
  "trash.purge": { handler: "functions/jobs/trash-purge.ts" },
  "upload.expire": { handler: "functions/jobs/upload-expiry.ts" },
  "share.expire": { handler: "functions/jobs/share-expiry.ts" },
} as const;

export type JobName = keyof typeof jobTable;
