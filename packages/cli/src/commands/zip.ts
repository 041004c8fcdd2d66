/**
 * `polaris download --zip <remote> [local]`: the server packs a folder (or a file) into one zip, the
 * CLI follows the job and downloads the zip, the folder structure kept inside it.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ZipJob } from "@polaris/contract";
import type { Client, FileItem } from "../client";
import { UsageError } from "../errors";
import { downloadTo, type Progress } from "../transfer";

/** What main.ts lends the command, as for `polaris versions`. */
export interface ZipContext {
  client(): Client;
  resolveRemote(c: Client, ref: string): Promise<FileItem>;
  json(): boolean;
  out(line: string): void;
  progress(): Progress & { stop(): void };
}

const POLL_MS = 500;

/** Asks for the zip, waits for it (the job's own progress on a terminal), then writes it to `local` (a file, or a folder to put it in). */
export async function downloadZip(ctx: ZipContext, remote: string, local: string, force: boolean) {
  const c = ctx.client();
  const item = await ctx.resolveRemote(c, remote);
  // The root is no item: its top-level items are.
  const identities = item.identity === "0" ? (await c.listAll("0")).map((f) => f.identity) : [item.identity];
  if (!identities.length) throw new UsageError(`download: ${remote} is empty; there is nothing to zip`);
  if (identities.length > 1000) throw new UsageError(`download: ${remote} holds more than 1000 items; zip its folders one by one`);
  let job: ZipJob = await c.call("zip.create", { identities });
  const tty = process.stderr.isTTY && !ctx.json();
  while (job.status === "pending" || job.status === "running") {
    if (tty) process.stderr.write(`\rpacking ${job.name}: ${job.doneEntries}/${job.totalEntries} items`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = await c.call("zip.status", { id: job.id });
  }
  if (tty) process.stderr.write("\n");
  if (job.status !== "done" || !job.url) throw new UsageError(`download: the server could not make the zip (job ${job.id} ${job.status})`);
  const dest = existsSync(local) && statSync(local).isDirectory() ? join(local, job.name) : local;
  if (!force && existsSync(dest)) throw new UsageError(`download: ${dest} exists; nothing was downloaded (--force overwrites)`);
  const progress = ctx.progress();
  try {
    await downloadTo(job.url, dest, job.zipBytes ?? 0, progress, job.name);
  } finally {
    progress.stop();
  }
  ctx.out(ctx.json() ? JSON.stringify({ written: dest, entries: job.totalEntries, bytes: job.zipBytes }) : `downloaded ${dest}`);
}
