import { sql } from "kysely";
import { consumerTable } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { zipEntries } from "./entries";
import { zipExpiryJob } from "./shared";
import { writeZip } from "./writer";

/** Progress is written at most this often: a zip of many small files would otherwise write a row per file. */
const PROGRESS_EVERY_MS = 1000;

/**
 * The zip worker's use case: packs a pending job's items, as they are now, into its object and marks
 * it done with an expiry (the zip.expire job deletes it then). A redelivered message of a finished
 * job does nothing; a run that died (a crash, a timeout) starts over, its parts aborted. A failure is
 * thrown, so the queue retries it, until the last of the consumer's receives, which marks the job failed.
 */
export async function runZip(deps: CoreDeps, jobIdentity: string) {
  const { db, storage } = deps;
  const job = await db
    .updateTable("zip_jobs")
    .set({ status: "running", attempts: sql`attempts + 1`, done_bytes: 0, done_entries: 0, updated_at: deps.clock.now() })
    .where("identity", "=", jobIdentity)
    .where("status", "in", ["pending", "running"])
    .returningAll()
    .executeTakeFirst();
  if (!job) return { status: "skipped" as const };
  if (job.upload_id) await storage.abortMultipart(job.object_key, job.upload_id);
  let uploadId: string | undefined;
  try {
    const entries = await zipEntries(db, job.owner_id, job.file_ids.map(Number));
    uploadId = await storage.createMultipart(job.object_key, "application/zip");
    await db.updateTable("zip_jobs").set({ upload_id: uploadId }).where("id", "=", job.id).execute();
    let lastWrite = Date.now();
    const { parts, zipBytes } = await writeZip(storage, { key: job.object_key, uploadId }, entries, {
      partBytes: deps.settings.zip.partBytes,
      totalBytes: Number(job.total_bytes),
      onProgress: async ({ bytes, entries: done }) => {
        if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = Date.now();
        await db.updateTable("zip_jobs").set({ done_bytes: bytes, done_entries: done }).where("id", "=", job.id).execute();
      },
    });
    const completed = await storage.completeMultipart(job.object_key, uploadId, parts);
    if (completed !== "completed") throw new Error(`the store refused the zip's parts (${completed})`);
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + deps.settings.zip.ttlSeconds * 1000);
    await db
      .updateTable("zip_jobs")
      .set({
        status: "done",
        upload_id: null,
        zip_bytes: zipBytes,
        done_bytes: Number(job.total_bytes),
        done_entries: entries.length,
        expires_at: expiresAt,
        updated_at: now,
      })
      .where("id", "=", job.id)
      .execute();
    await deps.scheduler.schedule({
      name: zipExpiryJob(jobIdentity),
      type: "zip.expire",
      payload: { jobId: jobIdentity },
      runAt: expiresAt,
    });
    return { status: "done" as const, zipBytes, entries: entries.length };
  } catch (error) {
    if (job.attempts < consumerTable["zip-worker"].maxReceives) throw error;
    if (uploadId) await storage.abortMultipart(job.object_key, uploadId).catch(() => undefined);
    await db
      .updateTable("zip_jobs")
      .set({ status: "failed", upload_id: null, error: String(error).slice(0, 1000), updated_at: deps.clock.now() })
      .where("id", "=", job.id)
      .execute();
    return { status: "failed" as const };
  }
}
