import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export type MetricEntry = { name: string; unit: "Count" | "Bytes" | "Milliseconds" | "None"; value: number };

/**
 * Writes metrics as one CloudWatch EMF line (namespace Polaris, dimension service=polaris plus the
 * given ones), which CloudWatch turns into metrics on AWS and which stays a log line locally. One
 * short-lived emitter per call keeps concurrent requests in one local process from mixing dimensions.
 */
export function emitMetrics(enabled: boolean, dimensions: Record<string, string>, entries: MetricEntry[]) {
  if (!enabled || entries.length === 0) return;
  const metrics = new Metrics({ namespace: "Polaris", serviceName: "polaris", defaultDimensions: dimensions });
  for (const { name, unit, value } of entries) metrics.addMetric(name, unit as (typeof MetricUnit)[keyof typeof MetricUnit], value);
  metrics.publishStoredMetrics();
}
