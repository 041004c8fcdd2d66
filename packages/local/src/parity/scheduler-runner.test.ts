// The scheduler runner against the Scheduler API (moto, or LocalStack), which stores schedules but
// never fires them: the runner does, through the same job handlers the stacks deploy.
import { CreateScheduleCommand, GetScheduleCommand, SchedulerClient, type CreateScheduleCommandInput } from "@aws-sdk/client-scheduler";
import { awsClientConfig } from "@polaris/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, startTestApp, type TestApp } from "@polaris/api-tests/support";
import { atTime } from "./scheduler-runner";

let app: TestApp;
let scheduler: SchedulerClient;
beforeAll(async () => {
  // The runner fires only when a test asks it to.
  app = await startTestApp({ JOB_POLL_MS: String(3600_000) }, undefined, "parity");
  scheduler = new SchedulerClient(awsClientConfig(app.deps.config));
});
afterAll(async () => {
  scheduler?.destroy();
  await app?.close();
});

const past = () => `at(${new Date(Date.now() - 60_000).toISOString().slice(0, 19)})`;

/** A pending upload whose session is already past its expiry (the job's own re-check lets it expire). */
async function staleUpload(token: string, name: string) {
  const res = await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(name), size: 10, name } });
  const key = res.body.data.uploadKey as string;
  await app.deps.db
    .updateTable("uploads")
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where("upload_key", "=", key)
    .execute();
  return key;
}
const uploadStatus = async (key: string) =>
  (await app.deps.db.selectFrom("uploads").select("status").where("upload_key", "=", key).executeTakeFirstOrThrow()).status;

async function createSchedule(name: string, overrides: Partial<CreateScheduleCommandInput> & { input?: unknown; arn?: string }) {
  const { input, arn, ...rest } = overrides;
  await scheduler.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: app.deps.config.SCHEDULE_GROUP,
      ScheduleExpression: past(),
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      Target: {
        Arn: arn ?? app.deps.config.JOB_UPLOAD_EXPIRY_ARN!,
        RoleArn: app.deps.config.SCHEDULER_ROLE_ARN!,
        Input: JSON.stringify(input ?? {}),
      },
      ...rest,
    }),
  );
}
const exists = (name: string) =>
  scheduler.send(new GetScheduleCommand({ GroupName: app.deps.config.SCHEDULE_GROUP, Name: name })).then(
    () => true,
    () => false,
  );

describe("scheduler runner", () => {
  it("fires a due schedule with its input through the job's handler, deletes it, and leaves the others", async () => {
    const { token } = await app.signUp();
    const due = await staleUpload(token, "due.bin");
    const later = await staleUpload(token, "later.bin");
    await app.jobs.makeDue(`upload-expire-${due}`);
    expect(await app.background.runDueJobs()).toBe(1);
    expect(await uploadStatus(due)).toBe("expired");
    expect(await exists(`upload-expire-${due}`)).toBe(false);
    // Not due yet: untouched, still scheduled.
    expect(await uploadStatus(later)).toBe("pending");
    expect((await app.jobs.get(`upload-expire-${later}`))?.payload).toEqual({ uploadKey: later });
  });

  it("fires a schedule kept after completion once, and leaves other targets and disabled schedules alone", async () => {
    const { token } = await app.signUp();
    const kept = await staleUpload(token, "kept.bin");
    const disabled = await staleUpload(token, "disabled.bin");
    await createSchedule(`kept-${kept}`, { ActionAfterCompletion: "NONE", input: { uploadKey: kept } });
    await createSchedule(`disabled-${disabled}`, { State: "DISABLED", input: { uploadKey: disabled } });
    await createSchedule(`foreign-${kept}`, {
      arn: "arn:aws:lambda:us-east-1:000000000000:function:someone-else",
      input: { uploadKey: disabled },
    });
    expect(await app.background.runDueJobs()).toBe(1);
    expect(await uploadStatus(kept)).toBe("expired");
    expect(await exists(`kept-${kept}`)).toBe(true);
    expect(await app.background.runDueJobs()).toBe(0);
    expect(await uploadStatus(disabled)).toBe("pending");
    expect(await exists(`disabled-${disabled}`)).toBe(true);
    expect(await exists(`foreign-${kept}`)).toBe(true);
  });

  it("keeps a schedule whose job fails, for a later retry", async () => {
    await createSchedule("broken-input", { input: { uploadKey: "not-a-uuid" } });
    expect(await app.background.runDueJobs()).toBe(0);
    expect(await exists("broken-input")).toBe(true);
  });
});

describe("at(...) expressions", () => {
  it("reads the time in the schedule's time zone, UTC by default", () => {
    expect(atTime("at(2025-03-01T08:00:00)")).toEqual(new Date("2025-03-01T08:00:00Z"));
    expect(atTime("at(2025-03-01T08:00:00)", "Asia/Shanghai")).toEqual(new Date("2025-03-01T00:00:00Z"));
    expect(atTime("at(2025-07-01T08:00:00)", "America/New_York")).toEqual(new Date("2025-07-01T12:00:00Z"));
    expect(atTime("rate(1 minute)")).toBeUndefined();
    expect(atTime("cron(0 12 * * ? *)")).toBeUndefined();
  });
});
