import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import type { Db, Job, Scheduler } from "@polaris/core";
import { awsClientConfig, type Config } from "@polaris/runtime";

/** The pending delayed jobs, as a test looks at them and lets time pass for them, wherever the profile keeps them. */
export interface JobsView {
  list(): Promise<Job[]>;
  get(name: string): Promise<Job | undefined>;
  /** Time passes for one job: it is due now (the runner still has to fire it). */
  makeDue(name: string): Promise<void>;
  /** Schedules the job (again) through the app's scheduler and makes it due now. */
  scheduleDue(job: Omit<Job, "runAt">): Promise<void>;
  close(): void;
}

const aSecondAgo = () => new Date(Date.now() - 1000);

function view(scheduler: Scheduler, store: Pick<JobsView, "list" | "makeDue" | "close">): JobsView {
  return {
    ...store,
    get: async (name) => (await store.list()).find((job) => job.name === name),
    async scheduleDue(job) {
      await scheduler.schedule({ ...job, runAt: aSecondAgo() });
      await store.makeDue(job.name);
    },
  };
}

/** The embedded profile's jobs table. */
export function tableJobs(db: Db, scheduler: Scheduler): JobsView {
  return view(scheduler, {
    list: async () =>
      (await db.selectFrom("scheduled_jobs").selectAll().orderBy("run_at").execute()).map((r) => ({
        name: r.name,
        type: r.type as Job["type"],
        payload: r.payload as Record<string, unknown>,
        runAt: r.run_at,
      })),
    async makeDue(name) {
      await db.updateTable("scheduled_jobs").set({ run_at: aSecondAgo() }).where("name", "=", name).execute();
    },
    close: () => undefined,
  });
}

/** The parity profile's Scheduler group, read through the app's scheduler runner. */
export function scheduleJobs(config: Config, scheduler: Scheduler, schedules: { group: string; list(): Promise<Job[]> }): JobsView {
  const client = new SchedulerClient(awsClientConfig(config));
  const GroupName = schedules.group;
  return view(scheduler, {
    list: schedules.list,
    async makeDue(name) {
      const current = await client.send(new GetScheduleCommand({ GroupName, Name: name }));
      // An update replaces the whole schedule: everything but the time is sent back as it was.
      await client.send(
        new UpdateScheduleCommand({
          Name: name,
          GroupName,
          ScheduleExpression: `at(${aSecondAgo().toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: current.FlexibleTimeWindow,
          Target: current.Target,
          ActionAfterCompletion: current.ActionAfterCompletion,
          State: current.State,
          Description: current.Description,
          StartDate: current.StartDate,
          EndDate: current.EndDate,
          KmsKeyArn: current.KmsKeyArn,
        }),
      );
    },
    close: () => client.destroy(),
  });
}
