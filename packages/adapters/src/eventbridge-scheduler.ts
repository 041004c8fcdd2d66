import { createHash } from "node:crypto";
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClientConfig,
} from "@aws-sdk/client-scheduler";
import { jobArnVariable, type JobName } from "@polaris/contract";
import type { Scheduler } from "@polaris/core";

const NAME_MAX = 64;
const errorName = (err: unknown) => (err as { name?: string })?.name;
/** Scheduler fires with one-minute precision; an `at()` that is already due is moved this far ahead. */
const MIN_LEAD_MS = 60_000;

/** Schedule names allow 64 of [0-9a-zA-Z-_.]: other characters become "-", longer names keep a prefix and a hash. */
export function scheduleName(jobName: string): string {
  const safe = jobName.replace(/[^0-9a-zA-Z\-_.]/g, "-");
  if (safe === jobName && safe.length <= NAME_MAX) return safe;
  const hash = createHash("sha256").update(jobName).digest("hex").slice(0, 16);
  return `${safe.slice(0, NAME_MAX - hash.length - 1)}-${hash}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, never in the past. */
export function atExpression(runAt: Date, now: Date): string {
  const when = new Date(Math.max(runAt.getTime(), now.getTime() + MIN_LEAD_MS));
  return `at(${when.toISOString().slice(0, 19)})`;
}

export interface EventBridgeSchedulerOptions {
  group: string;
  /** The role Scheduler assumes to invoke the job functions. */
  roleArn: string;
  /** The function each job type runs (JOB_*_ARN). */
  targets: Partial<Record<JobName, string>>;
  client: SchedulerClientConfig;
  now?: () => Date;
}

/**
 * Delayed jobs as one-time EventBridge Scheduler schedules in one group, deleted after they ran.
 * Scheduling a name again moves the existing schedule; cancelling a missing one is not an error.
 */
export function createEventBridgeScheduler(options: EventBridgeSchedulerOptions): Scheduler & { client: SchedulerClient } {
  const client = new SchedulerClient(options.client);
  const now = options.now ?? (() => new Date());
  return {
    client,
    async schedule(job) {
      const arn = options.targets[job.type];
      if (!arn) throw new Error(`${jobArnVariable(job.type)} is not set: cannot schedule ${job.type}`);
      const input: CreateScheduleCommandInput = {
        Name: scheduleName(job.name),
        GroupName: options.group,
        ScheduleExpression: atExpression(job.runAt, now()),
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        State: "ENABLED",
        Target: { Arn: arn, RoleArn: options.roleArn, Input: JSON.stringify(job.payload) },
      };
      try {
        await client.send(new CreateScheduleCommand(input));
      } catch (err) {
        if (errorName(err) !== "ConflictException") throw err;
        await client.send(new UpdateScheduleCommand(input));
      }
    },
    async cancel(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: scheduleName(name), GroupName: options.group }));
      } catch (err) {
        if (errorName(err) !== "ResourceNotFoundException") throw err;
      }
    },
  };
}
