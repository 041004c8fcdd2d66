import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { consumerTable, queueConsumers, queueUrlVariable } from "./consumers";
import { jobTable } from "./jobs";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const modulesIn = (dir: string) =>
  readdirSync(`${repoRoot}${dir}`)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `${dir}/${f}`);
const consumerHandlers: string[] = Object.values(consumerTable).map((c) => c.handler);
const jobHandlers: string[] = Object.values(jobTable).map((j) => j.handler);

describe("the consumer table", () => {
  it("names every event handler module", () => {
    expect(modulesIn("functions/events").filter((m) => !consumerHandlers.includes(m))).toEqual([]);
  });

  it("with the job table, names every module under functions/jobs but the deploy's migration step", () => {
    // migrate.ts has no event source: the deploy runs it once (an SST Script).
    const unnamed = modulesIn("functions/jobs").filter((m) => !consumerHandlers.includes(m) && !jobHandlers.includes(m));
    expect(unnamed).toEqual(["functions/jobs/migrate.ts"]);
  });

  it("names only modules that exist", () => {
    for (const handler of consumerHandlers) expect(existsSync(`${repoRoot}${handler}`), handler).toBe(true);
  });

  it("gives each queue its own dead-letter queue and its own URL variable", () => {
    const queues = queueConsumers().map(([, c]) => c);
    const names = queues.flatMap((c) => [c.queue, c.dlq]);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(queues.map(queueUrlVariable)).size).toBe(queues.length);
    expect(queueUrlVariable(consumerTable["upload-created"])).toBe("UPLOAD_EVENTS_QUEUE_URL");
  });

  it("leaves each message six handler runs before it shows again", () => {
    for (const [name, c] of queueConsumers()) expect(c.visibilityTimeoutSeconds, name).toBeGreaterThanOrEqual(6 * c.timeoutSeconds);
  });
});
