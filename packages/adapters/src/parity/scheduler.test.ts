// The EventBridge Scheduler adapter against the parity endpoint (moto, or LocalStack when AWS_ENDPOINT_URL says so).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { createEventBridgeScheduler, scheduleName } from "@polaris/adapters";
import { awsClientConfig, loadConfig } from "@polaris/runtime";
import { RESOURCES, resourceEnv, up } from "@polaris/infra-local/services";

const DAY = 24 * 3600 * 1000;
const TRASH_PURGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:polaris-test-job-trash-purge";
const ROLE_ARN = "arn:aws:iam::123456789012:role/polaris-test-scheduler";

let client: SchedulerClient;
let scheduler: ReturnType<typeof createEventBridgeScheduler>;
beforeAll(async () => {
  const config = loadConfig(resourceEnv(await up(["aws"])));
  client = new SchedulerClient(awsClientConfig(config));
  scheduler = createEventBridgeScheduler({
    group: RESOURCES.scheduleGroup,
    roleArn: ROLE_ARN,
    targets: { "trash.purge": TRASH_PURGE_ARN },
    client: awsClientConfig(config),
  });
});
afterAll(() => {
  client?.destroy();
  scheduler?.client.destroy();
});

const get = (name: string) => client.send(new GetScheduleCommand({ Name: scheduleName(name), GroupName: RESOURCES.scheduleGroup }));

describe("EventBridge Scheduler adapter", () => {
  it("creates a one-time schedule in the group, moves it when scheduled again, and cancels it", async () => {
    const batch = randomUUID();
    const name = `trash-purge-${batch}`;
    const runAt = new Date(Date.now() + DAY);
    await scheduler.schedule({ name, type: "trash.purge", payload: { batch }, runAt });
    const created = await get(name);
    expect(created).toMatchObject({
      Name: name,
      GroupName: RESOURCES.scheduleGroup,
      ScheduleExpression: `at(${runAt.toISOString().slice(0, 19)})`,
      ActionAfterCompletion: "DELETE",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: { Arn: TRASH_PURGE_ARN, RoleArn: ROLE_ARN },
    });
    expect(JSON.parse(created.Target!.Input!)).toEqual({ batch });

    const later = new Date(runAt.getTime() + DAY);
    await scheduler.schedule({ name, type: "trash.purge", payload: { batch }, runAt: later });
    expect((await get(name)).ScheduleExpression).toBe(`at(${later.toISOString().slice(0, 19)})`);

    await scheduler.cancel(name);
    await expect(get(name)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await scheduler.cancel(name);
  });

  it("fits long or unusual job names into Scheduler's 64 characters of [0-9a-zA-Z-_.]", async () => {
    const name = `trash-purge:${randomUUID()}/${"x".repeat(60)}`;
    await scheduler.schedule({ name, type: "trash.purge", payload: {}, runAt: new Date(Date.now() + DAY) });
    const stored = await get(name);
    expect(stored.Name).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    await scheduler.cancel(name);
    await expect(get(name)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("moves a time already past a minute ahead, and names the missing target variable", async () => {
    const name = `trash-purge-${randomUUID()}`;
    await scheduler.schedule({ name, type: "trash.purge", payload: {}, runAt: new Date(Date.now() - DAY) });
    const at = new Date(`${/^at\((.*)\)$/.exec((await get(name)).ScheduleExpression!)![1]}Z`);
    expect(at.getTime()).toBeGreaterThan(Date.now());
    await scheduler.cancel(name);
    await expect(
      scheduler.schedule({ name: `share-expire-${randomUUID()}`, type: "share.expire", payload: {}, runAt: new Date() }),
    ).rejects.toThrow(/JOB_SHARE_EXPIRY_ARN/);
  });
});
