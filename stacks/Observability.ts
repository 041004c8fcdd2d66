import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Function, Queue } from "sst/constructs";
import { use, type StackContext } from "sst/constructs";
import { METRICS_NAMESPACE } from "./lib/observability";
import { pascal } from "./lib/queues";
import { Api } from "./Api";
import { Events } from "./Events";
import { Jobs } from "./Jobs";
import { Network } from "./Network";
import { Search } from "./Search";
import { Storage } from "./Storage";

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Powertools metrics (EMF) the application emits, with the `service` dimension Powertools adds.
 * The alarm on indexer lag reads `IndexerLag` (milliseconds from the event's time to the
 * document being searchable), emitted by functions/events/search-indexer.ts.
 */
export const appMetric = (metricName: string, statistic: string, unit?: string) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: "polaris" },
    statistic,
    period: FIVE_MINUTES,
    label: unit ? `${metricName} (${unit})` : metricName,
  });

/** One line per route: the EMF metric with the `route` dimension ("POST /file/v1/upload/presign"). */
const perRoute = (metricName: string, statistic: string) =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},route,service} MetricName="${metricName}"', '${statistic}', 300)`,
    label: metricName,
    period: FIVE_MINUTES,
  });

/**
 * The replacement for the original's Jaeger and Prometheus dashboards: one CloudWatch dashboard
 * and the alarms that page someone (API 5xx rate, p99 latency, anything in a dead-letter queue,
 * indexer lag), all published to one SNS topic.
 */
export function Observability({ stack, app }: StackContext) {
  const { settings } = use(Network);
  const { api } = use(Api);
  const { s3Queues, uploadCreated } = use(Storage);
  const { busQueues, sweeper } = use(Events);
  const consumerQueues = [...s3Queues.queues, ...busQueues.queues];
  const indexQueue = busQueues.get("search-indexer").queue;
  const { indexer } = use(Search);
  const { jobsDlq, functions: jobFunctions } = use(Jobs);

  const topic = new Topic(stack, "Alarms", { displayName: `Polaris ${app.stage} alarms`, enforceSSL: true });
  if (settings.alarmEmail) topic.addSubscription(new EmailSubscription(settings.alarmEmail));
  const notify = new SnsAction(topic);

  const apiId = api.httpApiId;
  const apiMetric = (metricName: string, statistic: string) =>
    new Metric({ namespace: "AWS/ApiGateway", metricName, dimensionsMap: { ApiId: apiId }, statistic, period: FIVE_MINUTES });
  const requests = apiMetric("Count", "Sum");
  const errors5xx = apiMetric("5xx", "Sum");
  const errors4xx = apiMetric("4xx", "Sum");
  const p99 = apiMetric("Latency", "p99");
  const errorRate = new MathExpression({
    expression: "IF(requests > 0, 100 * errors / requests, 0)",
    usingMetrics: { requests, errors: errors5xx },
    label: "5xx rate (%)",
    period: FIVE_MINUTES,
  });

  const alarms: Alarm[] = [];
  const alarm = (id: string, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1) => {
    const a = new Alarm(stack, id, {
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    a.addAlarmAction(notify);
    a.addOkAction(notify);
    alarms.push(a);
    return a;
  };
  alarm("Api5xxRate", errorRate, 1, "More than 1% of API requests answered 5xx over 10 minutes", 2);
  alarm("ApiLatencyP99", p99, 2000, "API p99 latency at or above 2 s for 15 minutes", 3);
  const dlqs: Record<string, Queue> = {
    ...Object.fromEntries(consumerQueues.map((q) => [pascal(q.consumer.queue), q.dlq])),
    Jobs: jobsDlq,
  };
  for (const [name, dlq] of Object.entries(dlqs)) {
    alarm(
      `${name}DlqMessages`,
      dlq.cdk.queue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period: FIVE_MINUTES }),
      1,
      `Messages in the ${dlq.queueName} dead-letter queue: inspect them, fix the cause, redrive`,
    );
  }
  alarm(
    "IndexerLag",
    appMetric("IndexerLag", "p99", "ms"),
    60_000,
    "Search results more than a minute behind the database (p99), 15 minutes",
    3,
  );
  alarm(
    "IndexQueueAge",
    indexQueue.cdk.queue.metricApproximateAgeOfOldestMessage({ statistic: "Maximum", period: FIVE_MINUTES }),
    300,
    "The oldest index-queue message is 5 minutes old: the indexer is stuck or OpenSearch is down",
    2,
  );

  const functions: Function[] = [uploadCreated, indexer, sweeper, ...Object.values(jobFunctions)];
  const lambdaMetric = (fn: Function, metricName: string, statistic: string) =>
    new Metric({
      namespace: "AWS/Lambda",
      metricName,
      dimensionsMap: { FunctionName: fn.functionName },
      statistic,
      period: FIVE_MINUTES,
      label: fn.id,
    });

  const dashboard = new Dashboard(stack, "Dashboard", { dashboardName: `polaris-${app.stage}`, defaultInterval: Duration.hours(6) });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# Polaris ${app.stage}\nAPI, background work and the product metrics (Powertools EMF, namespace ${METRICS_NAMESPACE}).`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: "API requests and errors", left: [requests, errors4xx, errors5xx], right: [errorRate], width: 8 }),
    new GraphWidget({ title: "API latency", left: [apiMetric("Latency", "p50"), apiMetric("Latency", "p90"), p99], width: 8 }),
    new GraphWidget({
      title: "Requests and errors per route (EMF)",
      left: [perRoute("Requests", "Sum"), perRoute("Errors", "Sum")],
      width: 8,
    }),
  );
  dashboard.addWidgets(new GraphWidget({ title: "Latency p99 per route (EMF, ms)", left: [perRoute("Latency", "p99")], width: 24 }));
  dashboard.addWidgets(
    new GraphWidget({
      title: "Uploads",
      left: [appMetric("UploadedBytes", "Sum", "bytes")],
      right: [appMetric("InstantUploadHits", "Sum"), appMetric("InstantUploadRatio", "Average", "%")],
      width: 8,
    }),
    new GraphWidget({
      title: "Indexer lag",
      left: [appMetric("IndexerLag", "p50", "ms"), appMetric("IndexerLag", "p99", "ms")],
      right: [indexQueue.cdk.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES })],
      width: 8,
    }),
    new GraphWidget({
      title: "Queues: depth and dead letters",
      left: consumerQueues.map((q) => q.queue.cdk.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES })),
      right: Object.values(dlqs).map((q) =>
        q.cdk.queue.metricApproximateNumberOfMessagesVisible({ statistic: "Maximum", period: FIVE_MINUTES }),
      ),
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: "Background functions: errors", left: functions.map((fn) => lambdaMetric(fn, "Errors", "Sum")), width: 8 }),
    new GraphWidget({
      title: "Background functions: duration p99",
      left: functions.map((fn) => lambdaMetric(fn, "Duration", "p99")),
      width: 8,
    }),
    new GraphWidget({
      title: "Background functions: throttles",
      left: functions.map((fn) => lambdaMetric(fn, "Throttles", "Sum")),
      width: 8,
    }),
  );

  stack.addOutputs({ Dashboard: dashboard.dashboardName, AlarmTopicArn: topic.topicArn });
  return { dashboard, topic, alarms };
}
