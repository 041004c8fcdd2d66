import type { ZipJob } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { ZipJobRow } from "../db/schema";
import { toUnixSeconds } from "../time";

export const zipExpiryJob = (jobIdentity: string) => `zip-expire-${jobIdentity}`;

/** A job as its status shows it; a finished one carries a presigned GET under the zip's name, valid until the zip goes. */
export async function toZipJob(deps: CoreDeps, row: ZipJobRow): Promise<ZipJob> {
  const job: ZipJob = {
    id: row.identity,
    name: row.name,
    status: row.status,
    totalBytes: Number(row.total_bytes),
    totalEntries: row.total_entries,
    doneBytes: Number(row.done_bytes),
    doneEntries: row.done_entries,
  };
  if (row.status !== "done" || !row.expires_at) return job;
  const left = Math.floor((row.expires_at.getTime() - deps.clock.now().getTime()) / 1000);
  const expiresInSeconds = Math.max(1, Math.min(deps.settings.files.presignExpiresSeconds, left));
  const url = await deps.storage.presignGet(row.object_key, { fileName: row.name, contentType: "application/zip", expiresInSeconds });
  return { ...job, zipBytes: Number(row.zip_bytes), url, expiresAt: toUnixSeconds(row.expires_at) };
}
