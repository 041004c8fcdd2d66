/**
 * "Download as zip": a zip job packs the items on the server, the console follows it and downloads
 * the zip once it is ready. The drive's menus get the action here; the share page calls `downloadZip`.
 */
import { addFileAction, startDownload } from "../actions";
import { api, type ZipJob } from "../api";
import { format, type Messages } from "../i18n";
import { toast } from "../ui";

const POLL_MS = 600;

/** Starts a job, reports its progress while it runs, then downloads the zip (false when the job failed). */
export async function downloadZip(
  start: () => Promise<ZipJob>,
  status: (id: string) => Promise<ZipJob>,
  t: Messages,
  onProgress: (job: ZipJob) => void = () => undefined,
) {
  let job = await start();
  onProgress(job);
  while (job.status === "pending" || job.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = await status(job.id);
    onProgress(job);
  }
  if (job.status !== "done" || !job.url) {
    toast(t.zipFailed, "error");
    return false;
  }
  const url = job.url;
  await startDownload(async () => ({ url }));
  toast(format(t.zipReady, { name: job.name }));
  return true;
}

/** Percent of the bytes (or, for empty files and folders, of the entries) packed so far. */
export const zipPercent = (job: ZipJob) =>
  Math.floor(100 * (job.totalBytes ? job.doneBytes / job.totalBytes : job.totalEntries ? job.doneEntries / job.totalEntries : 1));

addFileAction({
  id: "zip",
  label: (t) => t.zipDownload,
  // One file downloads as it is; a folder or several items come as one zip.
  when: (items) => items.length > 1 || (items.length === 1 && items[0].isDir),
  toolbar: true,
  run: (items, ctx) =>
    void ctx.run(() => {
      toast(format(ctx.t.zipPreparing, { n: items.length }));
      return downloadZip(
        () => api.zipCreate(items.map((i) => i.identity)),
        (id) => api.zipStatus(id),
        ctx.t,
      );
    }),
});
