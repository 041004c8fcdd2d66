import { Metrics, type MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Config } from "./config";

export type MetricEntry = { name: string; unit: "Count" | "Bytes" | "Milliseconds" | "None"; value: number };

interface Emitter {
  metrics: Metrics;
  flushTimer?: NodeJS.Timeout;
}

/**
 * One emitter per dimension set (a Lambda function has one route; a local process a few dozen):
 * building an emitter per request cost ~15% of a request's CPU.
 */
const emitters = new Map<string, Emitter>();

const publish = (emitter: Emitter) => {
  clearTimeout(emitter.flushTimer);
  emitter.flushTimer = undefined;
  emitter.metrics.publishStoredMetrics();
};

/**
 * Writes metrics as CloudWatch EMF lines (namespace Polaris, dimension service=polaris plus the
 * given ones), which CloudWatch turns into metrics on AWS and which stay log lines locally. With
 * METRICS_FLUSH_MS, a long-running local server gathers each route's values for that long into one
 * line (EMF value arrays; Powertools writes early at 100 values): a synchronous stdout write per
 * request was ~8% of a list request's CPU. Adding and publishing are synchronous, so concurrent
 * requests sharing an emitter never mix their metrics with another route's.
 */
export function emitMetrics(
  config: Pick<Config, "METRICS" | "LOG_LEVEL" | "METRICS_FLUSH_MS"> | undefined,
  dimensions: Record<string, string>,
  entries: MetricEntry[],
) {
  if (!config?.METRICS || config.LOG_LEVEL === "SILENT" || entries.length === 0) return;
  const key = JSON.stringify(dimensions);
  let emitter = emitters.get(key);
  if (!emitter) {
    emitter = { metrics: new Metrics({ namespace: "Polaris", serviceName: "polaris", defaultDimensions: dimensions }) };
    emitters.set(key, emitter);
  }
  for (const { name, unit, value } of entries) emitter.metrics.addMetric(name, unit as (typeof MetricUnit)[keyof typeof MetricUnit], value);
  if (!config.METRICS_FLUSH_MS) return publish(emitter);
  const pending = emitter;
  pending.flushTimer ??= setTimeout(() => publish(pending), config.METRICS_FLUSH_MS).unref();
}

/** Writes whatever metrics are still gathered (a server closing). */
export function flushMetrics() {
  for (const emitter of emitters.values()) if (emitter.flushTimer) publish(emitter);
}
