import type { Db, Job, Scheduler } from "@polaris/core";

/** Delayed jobs as rows in the system of record (the embedded profile); a runner fires due rows. */
export function createSqlScheduler(db: Db): Scheduler & {
  due(limit: number): Promise<Job[]>;
  done(name: string): Promise<void>;
  failed(name: string, error: string, retryAt: Date): Promise<void>;
} {
  return {
    async schedule(job) {
      await db
        .insertInto("scheduled_jobs")
        .values({ name: job.name, type: job.type, payload: JSON.stringify(job.payload), run_at: job.runAt })
        .onConflict((oc) =>
          oc.column("name").doUpdateSet({ type: job.type, payload: JSON.stringify(job.payload), run_at: job.runAt, attempts: 0 }),
        )
        .execute();
    },
    async cancel(name) {
      await db.deleteFrom("scheduled_jobs").where("name", "=", name).execute();
    },
    async due(limit) {
      const rows = await db
        .selectFrom("scheduled_jobs")
        .selectAll()
        .where("run_at", "<=", new Date())
        .orderBy("run_at")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        name: r.name,
        type: r.type as Job["type"],
        payload: r.payload as Record<string, unknown>,
        runAt: r.run_at,
      }));
    },
    async done(name) {
      await db.deleteFrom("scheduled_jobs").where("name", "=", name).execute();
    },
    async failed(name, error, retryAt) {
      await db
        .updateTable("scheduled_jobs")
        .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error.slice(0, 2000), run_at: retryAt }))
        .where("name", "=", name)
        .execute();
    },
  };
}
