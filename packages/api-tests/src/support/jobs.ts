import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import type { Db, Job } from "@polaris/core";
import { awsClientConfig, type Config } from "@polaris/runtime";

/** The pending delayed jobs, as a test looks at them and lets time pass for them, wherever the profile keeps them. */
export interface JobsView {
  list(): Promise<Job[]>;
  get(name: string): Promise<Job | undefined>;
  /** Time passes for one job: it is due now (the runner still has to fire it). */
  makeDue(name: string): Promise<void>;
  close(): void;
}

const aSecondAgo = () => new Date(Date.now() - 1000);

/** The embedded profile's jobs table. */
export function tableJobs(db: Db): JobsView {
  const list = async () =>
    (await db.selectFrom("scheduled_jobs").selectAll().orderBy("run_at").execute())
      .map((r) => ({ name: r.name, type: r.type as Job["type"], payload: r.payload as Record<string, unknown>, runAt: r.run_at }));
  return {
    list,
    get: async (name) => (await list()).find((job) => job.name === name),
    async makeDue(name) {
      await db.updateTable("scheduled_jobs").set({ run_at: aSecondAgo() }).where("name", "=", name).execute();
    },
    close: () => undefined,
  };
}

/** The parity profile's Scheduler group, read through the app's scheduler runner. */
export function scheduleJobs(config: Config, group: string, list: () => Promise<Job[]>): JobsView {
  const client = new SchedulerClient(awsClientConfig(config));
  return {
    list,
    get: async (name) => (await list()).find((job) => job.name === name),
    async makeDue(name) {
      const current = await client.send(new GetScheduleCommand({ GroupName: group, Name: name }));
      // An update replaces the whole schedule: everything but the time is sent back as it was.
      await client.send(new UpdateScheduleCommand({
        Name: name,
        GroupName: group,
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
      }));
    },
    close: () => client.destroy(),
  };
}
