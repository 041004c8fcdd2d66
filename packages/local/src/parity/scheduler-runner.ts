import {
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import type { Logger } from "@aws-lambda-powertools/logger";
import { jobTable, type JobName } from "@polaris/contract";
import type { Job } from "@polaris/core";
import { loadModuleHandler } from "../gateway";
import { repeat } from "./repeat";

/** A one-time schedule of a job: the job (type by target ARN, payload from the input) and what Scheduler does around it. */
export interface ScheduledJob extends Job {
  deleteAfter: boolean;
  maxRetries: number;
}

/** `at(2025-01-31T12:00:00)` in the schedule's time zone (UTC unless it names one). */
export function atTime(expression: string, timeZone = "UTC"): Date | undefined {
  const local = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(expression.trim())?.[1];
  if (!local) return undefined;
  const asUtc = new Date(`${local}Z`);
  if (timeZone === "UTC") return asUtc;
  // The zone's wall clock at that instant, read back as UTC, is off by the zone's offset.
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(asUtc)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return new Date(asUtc.getTime() - (wall - asUtc.getTime()));
}

/** Reads a schedule the project created: its job (by target ARN), input and time; undefined for anything else. */
export function scheduledJob(schedule: GetScheduleCommandOutput, jobsByArn: ReadonlyMap<string, JobName>): ScheduledJob | undefined {
  const type = jobsByArn.get(schedule.Target?.Arn ?? "");
  const runAt = atTime(schedule.ScheduleExpression ?? "", schedule.ScheduleExpressionTimezone);
  if (!type || !runAt) return undefined;
  return {
    name: schedule.Name!,
    type,
    payload: JSON.parse(schedule.Target?.Input || "{}"),
    runAt,
    deleteAfter: schedule.ActionAfterCompletion === "DELETE",
    maxRetries: schedule.Target?.RetryPolicy?.MaximumRetryAttempts ?? 185,
  };
}

const isNotFound = (error: unknown) => (error as { name?: string })?.name === "ResourceNotFoundException";

/**
 * The local stand-in for EventBridge Scheduler's firing (moto and LocalStack store schedules but
 * never fire them): each pass lists the group, reads the schedules that changed since it last saw
 * them, invokes the target job's handler with the schedule's input when its `at(...)` time has come,
 * then deletes the schedule as `ActionAfterCompletion: DELETE` says. A failing job is retried with
 * backoff up to the target's MaximumRetryAttempts, as Scheduler would. Runs every `intervalMs` until closed.
 */
export function createSchedulerRunner(options: {
  client: SchedulerClient;
  group: string;
  jobsByArn: ReadonlyMap<string, JobName>;
  logger: Logger;
  intervalMs: number;
}) {
  const { client, group, jobsByArn, logger } = options;
  /** name -> the schedule as read at its LastModificationDate (undefined: not one of ours). */
  const seen = new Map<string, { modified: number; job?: ScheduledJob }>();
  /** name@modified -> attempts so far and when the next may run. */
  const retries = new Map<string, { attempts: number; notBefore: number }>();
  /** one-time schedules kept after completion (ActionAfterCompletion NONE) fire once. */
  const completed = new Set<string>();

  async function list(): Promise<ScheduledJob[]> {
    const jobs: ScheduledJob[] = [];
    const listed = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListSchedulesCommand({ GroupName: group, NextToken, MaxResults: 100 }));
      for (const summary of page.Schedules ?? []) {
        const name = summary.Name!;
        listed.add(name);
        if (summary.State === "DISABLED") continue;
        const modified = summary.LastModificationDate?.getTime() ?? 0;
        let entry = seen.get(name);
        if (entry?.modified !== modified) {
          try {
            entry = { modified, job: scheduledJob(await client.send(new GetScheduleCommand({ GroupName: group, Name: name })), jobsByArn) };
          } catch (error) {
            if (isNotFound(error)) continue; // deleted since the listing
            throw error;
          }
          if (!entry.job) logger.warn("schedule not run locally: not an at(...) schedule for a known job", { schedule: name });
          seen.set(name, entry);
        }
        if (entry.job && !completed.has(`${name}@${modified}`)) jobs.push(entry.job);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    for (const name of seen.keys()) if (!listed.has(name)) seen.delete(name);
    return jobs;
  }

  async function fire(job: ScheduledJob) {
    const key = `${job.name}@${seen.get(job.name)!.modified}`;
    const retry = retries.get(key) ?? { attempts: 0, notBefore: 0 };
    if (retry.notBefore > Date.now()) return false;
    try {
      await (await loadModuleHandler<(input: unknown) => Promise<unknown>>(jobTable[job.type].handler))(job.payload);
    } catch (error) {
      retry.attempts += 1;
      if (retry.attempts <= job.maxRetries) {
        retry.notBefore = Date.now() + Math.min(60_000, 1000 * 2 ** retry.attempts);
        retries.set(key, retry);
        logger.error("scheduled job failed; will retry", { schedule: job.name, attempts: retry.attempts, error: error as Error });
        return false;
      }
      logger.error("scheduled job failed; retries exhausted", { schedule: job.name, error: error as Error });
    }
    retries.delete(key);
    if (!job.deleteAfter) completed.add(key);
    else {
      await client.send(new DeleteScheduleCommand({ GroupName: group, Name: job.name })).catch((error) => {
        if (!isNotFound(error)) throw error;
      });
    }
    return true;
  }

  let pass: Promise<number> = Promise.resolve(0);
  /** One pass: fires every due schedule; resolves with how many ran to completion. Passes never overlap. */
  const runDue = () => {
    pass = pass
      .catch(() => 0)
      .then(async () => {
        let ran = 0;
        for (const job of await list()) if (job.runAt <= new Date() && (await fire(job))) ran += 1;
        return ran;
      });
    return pass;
  };

  const timer = repeat(options.intervalMs, runDue, (error) => logger.error("scheduler pass failed", { error: error as Error }));

  return {
    /** The group's pending one-time job schedules. */
    list,
    runDue,
    /** Stops the timer and waits for a pass in progress. */
    close: timer.close,
  };
}
