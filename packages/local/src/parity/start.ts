import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SQSClient } from "@aws-sdk/client-sqs";
import { consumerTable, jobArnVariable, jobTable, queueConsumers, queueUrlVariable, type JobName } from "@polaris/contract";
import type { Job } from "@polaris/core";
import { awsClientConfig, createDeps, loadConfig, setDeps } from "@polaris/runtime";
import type { RunningApp } from "../embedded";
import { loadModuleHandler, LOCAL_SERVER_DEFAULTS, serveGateway, type Fallback } from "../gateway";
import { repeat } from "./repeat";
import { createSchedulerRunner } from "./scheduler-runner";
import { startSqsDispatcher } from "./sqs-dispatcher";

const jobNames = Object.keys(jobTable) as JobName[];
const LOCAL_ACCOUNT = "000000000000";

/**
 * What the stacks would wire on AWS, as stand-ins: no Lambda runs locally, so each job gets a
 * function ARN the scheduler runner maps back to the job's module, and Scheduler a role it never
 * assumes. Values in the environment win.
 */
const localTargets = (region: string): Record<string, string> => ({
  SCHEDULER_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/polaris-scheduler`,
  ...Object.fromEntries(
    jobNames.map((job) => [
      jobArnVariable(job),
      `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:polaris-job-${jobTable[job].handler.replace(/^.*\/|\.ts$/g, "")}`,
    ]),
  ),
});

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === "") throw new Error(`parity profile: ${name} is not set (resourceEnv provides it)`);
  return value;
}

export interface ParityApp extends RunningApp {
  /** The Scheduler group the runner fires, and its pending job schedules. */
  schedules: { group: string; list(): Promise<Job[]> };
}

/**
 * Starts the parity profile in this process on the local services `env` names (PostgreSQL,
 * S3/SQS/EventBridge/Scheduler/DynamoDB on the AWS endpoint, OpenSearch, and the resources there):
 * the local gateway on `host:port` (port 0 picks a free one); and in place of Lambda's event
 * sources an SQS dispatcher for the event handlers, a runner that fires the delayed jobs' schedules,
 * and the outbox sweeper's timer. The caller starts the services; this process only uses them.
 */
export async function startParity(
  env: Record<string, string | undefined>,
  port = 0,
  options: { host?: string; fallback?: Fallback } = {},
): Promise<ParityApp> {
  const appEnv = { ...LOCAL_SERVER_DEFAULTS, ...localTargets(env.AWS_REGION ?? "us-east-1"), ...env };
  // Everything the runtime needs is checked before anything starts.
  const config = loadConfig(appEnv);
  // Lambda's event source mappings, one per queue consumer of the table.
  const queues = queueConsumers().map(([, consumer]) => ({
    url: required(appEnv[queueUrlVariable(consumer)], queueUrlVariable(consumer)),
    handler: consumer.handler,
    batchSize: consumer.batchSize,
  }));
  const group = required(config.SCHEDULE_GROUP, "SCHEDULE_GROUP");
  const jobsByArn = new Map(jobNames.map((job) => [required(config[jobArnVariable(job)], jobArnVariable(job)), job]));

  const deps = await createDeps(appEnv);
  setDeps(deps);
  const { logger } = deps;
  const sqs = new SQSClient(awsClientConfig(config));
  const scheduler = new SchedulerClient(awsClientConfig(config));
  const runner = createSchedulerRunner({ client: scheduler, group, jobsByArn, logger, intervalMs: config.JOB_POLL_MS });
  // The stacks' schedule rule for the sweeper (locally every OUTBOX_SWEEP_MS).
  const sweeper = repeat(
    config.OUTBOX_SWEEP_MS,
    async () => (await loadModuleHandler<(event: unknown) => Promise<unknown>>(consumerTable["outbox-sweep"].handler))({}),
    (error) => logger.error("outbox sweep failed", { error: error as Error }),
  );
  let dispatcher: Awaited<ReturnType<typeof startSqsDispatcher>> | undefined;
  let gateway: Awaited<ReturnType<typeof serveGateway>> | undefined;
  const background = {
    runDueJobs: runner.runDue,
    async idle() {
      await Promise.all([dispatcher!.idle(), sweeper.idle()]);
    },
    async close() {
      await Promise.all([dispatcher?.close(), runner.close(), sweeper.close()]);
    },
  };
  const close = async () => {
    await gateway?.close();
    await background.close();
    sqs.destroy();
    scheduler.destroy();
    await deps.close();
  };
  try {
    dispatcher = await startSqsDispatcher({ client: sqs, region: config.AWS_REGION, logger, queues });
    gateway = await serveGateway(port, options.host ?? "127.0.0.1", options.fallback);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: gateway.url,
    deps,
    s3Endpoint: config.S3_ENDPOINT ?? config.AWS_ENDPOINT_URL,
    background,
    schedules: { group, list: runner.list },
    close,
  };
}
