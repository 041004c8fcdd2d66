import { existsSync } from "node:fs";
import { join } from "node:path";
import { Stack as CdkStack } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { consumerTable, consumersFedBy, jobTable, queueConsumers, routeTable, type JobName } from "@polaris/contract";
import { Function, type FunctionProps } from "sst/constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { httpAccess, routeKey } from "./access";
import { routeFunctionId } from "./Api";
import { ACCOUNT, REGION, repoRoot, synthesize, type Synthesized } from "./harness";
import { accessOf, handlerOf, type Access } from "./lib/functions";
import { BUNDLE_EXTERNALS } from "./lib/observability";
import { jobArnVariable, jobSlug, names } from "./lib/platform";
import { stageSettings } from "./settings";
import { actionsOf, findCycle, flat, identityStatements, ofType, resourcesOf, roleOf, type Resources } from "./template-support";

const STAGE = "test";
const settings = stageSettings(STAGE);
const routes = Object.entries(routeTable);

let synth: Synthesized;
const stack = (name: string) => synth.stacks.find((s) => s.name === name)!;
const resources = (name: string): Resources => stack(name).template.toJSON().Resources;
const allResources = () => synth.stacks.map((s) => ({ name: s.name, resources: resources(s.name) }));
/** The stacks that hold endpoints: Polaris's own (Api, and Files for the file routes) and the Polaris-IO compatibility routes (Compat). */
const API_STACKS = ["Api", "Files", "Compat"];
const apiResources = (): Resources => Object.assign({}, ...API_STACKS.map(resources));
/** SST keeps a Function's props private; the handler, runtime and bundling are what we check. */
const propsOf = (fn: Function) => (fn as unknown as { props: FunctionProps }).props;
const logicalId = (s: CdkStack, fn: Function) => s.getLogicalId(fn.node.defaultChild as CfnFunction);

/** Every Polaris function (created by polarisFunction), with where it lives in the templates. */
const polarisFunctions = () =>
  synth.stacks.flatMap(({ name, stack: s }) =>
    s.node
      .findAll()
      .filter((c): c is Function => c instanceof Function && accessOf.has(c))
      .map((fn) => {
        const id = logicalId(s, fn);
        const resource = resources(name)[id]!;
        return { stackName: name, fn, id, resource, access: accessOf.get(fn)!, role: roleOf(resource) };
      }),
  );

beforeAll(async () => {
  synth = await synthesize({ stage: STAGE });
});

describe("the app", () => {
  it("synthesizes every stack, with no cycle CloudFormation would reject", () => {
    expect(synth.stacks.map((s) => s.name)).toEqual([
      "Network",
      "Data",
      "Events",
      "Storage",
      "Search",
      "Jobs",
      "Api",
      "Files",
      "Compat",
      "Observability",
    ]);
    for (const { name, resources: r } of allResources()) {
      expect(findCycle(r), `cycle in ${name}`).toBeUndefined();
    }
  });

  it("stays under CloudFormation's 500 resources per stack", () => {
    // About ten resources per endpoint (function, role, policy, log group, route, integration,
    // permission, secret prefetch): the Api stack needs splitting before ~45 endpoints.
    for (const { name, resources: r } of allResources()) {
      const count = Object.keys(r).length;
      if (count > 400) console.warn(`${name}: ${count} resources, close to CloudFormation's 500`);
      expect(count, name).toBeLessThan(500);
    }
  });

  it("passes cdk-nag's AwsSolutions checks (every accepted finding is suppressed with a reason)", () => {
    expect(synth.findings.map((f) => `${f.path}: ${f.message.split("\n")[0]}`)).toEqual([]);
    // The suppressions are in the templates' metadata, each with its reason.
    const suppressions = allResources().flatMap(({ resources: r }) =>
      Object.values<any>(r).flatMap((x) => x.Metadata?.cdk_nag?.rules_to_suppress ?? []),
    );
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) expect(s.reason.length, s.id).toBeGreaterThan(20);
  });
});

describe("Api", () => {
  it("has each route of the route table exactly once, each with its own function and handler module", () => {
    const r = apiResources();
    const apiRoutes = ofType(r, "AWS::ApiGatewayV2::Route");
    expect(apiRoutes).toHaveLength(routes.length);
    expect(apiRoutes.map(([, x]) => x.Properties.RouteKey).sort()).toEqual(routes.map(([, route]) => routeKey(route)).sort());

    const integrationFunction = (routeResource: any) => {
      const integration = flat(routeResource.Properties.Target).replace(/^integrations\/<Ref:(.*)>$/, "$1");
      return flat(r[integration]!.Properties.IntegrationUri).replace(/^<GetAtt:(.*)\.Arn>$/, "$1");
    };
    const functionIds = apiRoutes.map(([, x]) => integrationFunction(x));
    expect(new Set(functionIds).size).toBe(routes.length);

    for (const [key, route] of routes) {
      const fn = API_STACKS.map((name) => stack(name).stack.node.tryFindChild(routeFunctionId(key))).find(Boolean) as Function;
      expect(fn, key).toBeInstanceOf(Function);
      expect(propsOf(fn).handler).toBe(handlerOf(route.handler));
      const [, routeResource] = apiRoutes.find(([, x]) => x.Properties.RouteKey === routeKey(route))!;
      expect(integrationFunction(routeResource)).toBe(logicalId(CdkStack.of(fn), fn));
      expect(routeResource.Properties.AuthorizationType).toBe("NONE");
    }
    // Nothing else serves requests: one Polaris function per route in this stack.
    expect(polarisFunctions().filter((f) => API_STACKS.includes(f.stackName))).toHaveLength(routes.length);
  });

  it("derives handlers from the route table's module paths", () => {
    expect(handlerOf("functions/http/user/login.ts")).toBe("functions/http/user/login.handler");
    expect(() => handlerOf("functions/http/user/login")).toThrow();
  });

  it("throttles, logs access and allows the configured origins", () => {
    const r = resources("Api");
    const [[, stage]] = ofType(r, "AWS::ApiGatewayV2::Stage") as [string, any][];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingBurstLimit: settings.throttle.burst,
      ThrottlingRateLimit: settings.throttle.rate,
    });
    expect(stage.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    const [[, httpApi]] = ofType(r, "AWS::ApiGatewayV2::Api") as [string, any][];
    expect(httpApi.Properties.CorsConfiguration).toMatchObject({
      AllowOrigins: settings.corsOrigins,
      AllowMethods: ["GET", "POST"],
      AllowHeaders: expect.arrayContaining(["authorization", "content-type", "idempotency-key"]),
    });
  });

  it("binds the JWT secret (SST Config.Secret) to the endpoints that sign or verify tokens", () => {
    const api = polarisFunctions().filter((f) => API_STACKS.includes(f.stackName));
    const withSecret = api.filter((f) => f.access.jwt);
    expect(withSecret.length).toBeGreaterThan(0);
    const statements = identityStatements(apiResources());
    for (const f of api) {
      const env = f.resource.Properties.Environment.Variables;
      if (!f.access.jwt) {
        expect(env.SST_Secret_value_JWT_SECRET, f.id).toBeUndefined();
        continue;
      }
      expect(env.SST_Secret_value_JWT_SECRET, f.id).toBe("__FETCH_FROM_SSM__");
      const ssm = statements.filter((s) => s.roles.includes(f.role) && actionsOf(s.statement).includes("ssm:GetParameters"));
      expect(ssm.flatMap((s) => resourcesOf(s.statement))).toEqual([
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/sst/polaris/${STAGE}/Secret/JWT_SECRET/value`,
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/sst/polaris/.fallback/Secret/JWT_SECRET/value`,
      ]);
    }
    // Deploy-time prefetch puts the value into the function configuration (no SSM call at cold start).
    expect(ofType(apiResources(), "Custom::SecretPrefetcher")).toHaveLength(withSecret.length);
  });
});

describe("Storage", () => {
  const bucket = () => {
    const [[id, b]] = ofType(resources("Storage"), "AWS::S3::Bucket").filter(([, x]) => x.Properties.CorsConfiguration);
    return { id: id!, props: b!.Properties };
  };

  it("lets browsers PUT and GET from the configured origins, exposing ETag and the SHA-256 checksum", () => {
    const [rule] = bucket().props.CorsConfiguration.CorsRules;
    expect(rule.AllowedOrigins).toEqual(settings.corsOrigins);
    expect(rule.AllowedMethods).toEqual(expect.arrayContaining(["PUT", "GET"]));
    expect(rule.AllowedMethods).not.toContain("DELETE");
    expect(rule.ExposedHeaders).toEqual(expect.arrayContaining(["ETag", "x-amz-checksum-sha256"]));
  });

  it("aborts incomplete multipart uploads after a day, blocks public access, encrypts, requires TLS", () => {
    const { id, props } = bucket();
    expect(props.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({
        Status: "Enabled",
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      }),
    );
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
    const policies = ofType(resources("Storage"), "AWS::S3::BucketPolicy").filter(([, p]) => flat(p.Properties.Bucket) === `<Ref:${id}>`);
    expect(policies).toHaveLength(1);
    expect(policies[0]![1].Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("sends ObjectCreated under each S3 consumer's prefix to its queue (uploads/ to upload-created, blobs/ to thumbnail), with partial batch failures", () => {
    const r = resources("Storage");
    const { id } = bucket();
    const [[, notifications]] = ofType(r, "Custom::S3BucketNotifications") as [string, any][];
    expect(flat(notifications.Properties.BucketName)).toBe(`<Ref:${id}>`);
    const queueIdOf = (queue: string) =>
      Object.entries(r).find(([, x]) => x.Type === "AWS::SQS::Queue" && x.Properties.QueueName === `${STAGE}-polaris-${queue}`)![0];
    const s3Consumers = [
      { consumer: consumerTable["upload-created"], prefix: "uploads/" },
      { consumer: consumerTable.thumbnail, prefix: "blobs/" },
    ];
    expect(notifications.Properties.NotificationConfiguration.QueueConfigurations).toEqual(
      s3Consumers.map(({ consumer, prefix }) => ({
        Events: ["s3:ObjectCreated:*"],
        QueueArn: { "Fn::GetAtt": [queueIdOf(consumer.queue), "Arn"] },
        Filter: { Key: { FilterRules: [{ Name: "prefix", Value: prefix }] } },
      })),
    );
    const mappings = ofType(r, "AWS::Lambda::EventSourceMapping") as [string, any][];
    for (const { consumer } of s3Consumers) {
      const fn = polarisFunctions().find((f) => propsOf(f.fn).handler === handlerOf(consumer.handler))!;
      const [, mapping] = mappings.find(([, m]) => flat(m.Properties.EventSourceArn) === `<GetAtt:${queueIdOf(consumer.queue)}.Arn>`)!;
      expect(flat(mapping.Properties.FunctionName)).toBe(`<Ref:${fn.id}>`);
      expect(mapping.Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    }
  });

  it("lets the thumbnail function read blobs/ and write thumbnails/ only, with sharp bundled and its arm64 binaries installed", () => {
    const fn = polarisFunctions().find((f) => propsOf(f.fn).handler === handlerOf(consumerTable.thumbnail.handler))!;
    const statements = identityStatements(resources("Storage"))
      .filter((s) => s.roles.includes(fn.role))
      .map((s) => s.statement)
      .filter((s) => actionsOf(s).some((a) => a.startsWith("s3:")));
    const granted = statements.flatMap((s) => actionsOf(s).map((a) => `${a} ${[s.Resource].flat().map(flat).join(",")}`)).sort();
    const [, bucketId] = /<GetAtt:(.*)\.Arn>/.exec(granted.find((g) => g.startsWith("s3:ListBucket"))!)!;
    expect(granted).toEqual(
      [
        `s3:GetObject <GetAtt:${bucketId}.Arn>/blobs/*`,
        `s3:GetObjectAttributes <GetAtt:${bucketId}.Arn>/blobs/*`,
        `s3:ListBucket <GetAtt:${bucketId}.Arn>`,
        `s3:PutObject <GetAtt:${bucketId}.Arn>/thumbnails/*`,
      ].sort(),
    );
    const nodejs = propsOf(fn.fn).nodejs!;
    expect(nodejs.install).toEqual(["@img/sharp-linux-arm64", "@img/sharp-libvips-linux-arm64"]);
    expect((nodejs.esbuild!.plugins ?? []).map((p) => p.name)).toContain("polaris-sharp-bundled");
  });
});

describe("queues", () => {
  const queues = () =>
    allResources().flatMap(({ resources: r }) =>
      ofType(r, "AWS::SQS::Queue").map(([id, q]) => ({ id, name: q.Properties.QueueName as string, props: q.Properties, resources: r })),
    );

  it.each(queueConsumers())("%s: its queue redrives to its own dead-letter queue", (_, consumer) => {
    const all = queues();
    const queue = all.find((q) => q.name === `${STAGE}-polaris-${consumer.queue}`)!;
    const dlq = all.find((q) => q.name === `${STAGE}-polaris-${consumer.dlq}`)!;
    expect(queue.props.RedrivePolicy).toEqual({
      deadLetterTargetArn: { "Fn::GetAtt": [dlq.id, "Arn"] },
      maxReceiveCount: consumer.maxReceives,
    });
    expect(dlq.props.RedrivePolicy).toBeUndefined();
    for (const q of [queue, dlq]) {
      expect(q.props.SqsManagedSseEnabled).toBe(true);
    }
  });

  it("gives each queue consumer of the table its function, batch and a visibility timeout of at least six runs", () => {
    const mappings = allResources().flatMap(({ resources: r }) => ofType(r, "AWS::Lambda::EventSourceMapping"));
    expect(mappings).toHaveLength(queueConsumers().length);
    for (const [name, consumer] of queueConsumers()) {
      const queue = queues().find((q) => q.name === `${STAGE}-polaris-${consumer.queue}`)!;
      const fn = polarisFunctions().find((f) => propsOf(f.fn).handler === handlerOf(consumer.handler))!;
      expect(fn.resource.Properties.Timeout, name).toBe(consumer.timeoutSeconds);
      expect(queue.props.VisibilityTimeout, name).toBeGreaterThanOrEqual(6 * fn.resource.Properties.Timeout);
      const [, mapping] = mappings.find(([, m]) => flat(m.Properties.FunctionName) === `<Ref:${fn.id}>`)!;
      expect(mapping.Properties, name).toMatchObject({
        BatchSize: consumer.batchSize,
        MaximumBatchingWindowInSeconds: consumer.batchingWindowSeconds,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
    }
  });

  it("routes polaris events from the bus to the index queue (DLQ on delivery failure), consumed by the indexer", () => {
    const r = resources("Events");
    const index = Object.entries(r).find(([, x]) => x.Properties?.QueueName === `${STAGE}-polaris-index`)![0];
    const indexDlq = Object.entries(r).find(([, x]) => x.Properties?.QueueName === `${STAGE}-polaris-index-dlq`)![0];
    const [[, bus]] = ofType(r, "AWS::Events::EventBus") as [string, any][];
    const rules = ofType(r, "AWS::Events::Rule").filter(([, x]) => x.Properties.EventPattern);
    // One rule per bus consumer: the indexer takes every polaris event, the zip worker zip.requested only.
    expect(rules.map(([, x]) => x.Properties.EventPattern)).toEqual(
      expect.arrayContaining([{ source: ["polaris"] }, { source: ["polaris"], "detail-type": ["zip.requested"] }]),
    );
    expect(rules).toHaveLength(consumersFedBy("bus").length);
    const [, rule] = rules.find(([, x]) => !x.Properties.EventPattern["detail-type"])!;
    expect(flat(rule.Properties.EventBusName)).toBe(`<Ref:${Object.entries(r).find(([, x]) => x === bus)![0]}>`);
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { "Fn::GetAtt": [index, "Arn"] },
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [indexDlq, "Arn"] } },
      }),
    ]);
    const [[, mapping]] = ofType(resources("Search"), "AWS::Lambda::EventSourceMapping") as [string, any][];
    expect(flat(mapping.Properties.EventSourceArn)).toMatch(/Import:.*index/i);
    const indexer = polarisFunctions().find((f) => propsOf(f.fn).handler === "functions/events/search-indexer.handler")!;
    expect(flat(mapping.Properties.FunctionName)).toBe(`<Ref:${indexer.id}>`);
  });

  it("runs the outbox sweeper every minute", () => {
    const r = resources("Events");
    const sweeper = polarisFunctions().find((f) => propsOf(f.fn).handler === handlerOf(consumerTable["outbox-sweep"].handler))!;
    const schedules = ofType(r, "AWS::Events::Rule").filter(([, x]) => x.Properties.ScheduleExpression);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]![1].Properties.ScheduleExpression).toBe("rate(1 minute)");
    expect(schedules[0]![1].Properties.Targets).toEqual([expect.objectContaining({ Arn: { "Fn::GetAtt": [sweeper.id, "Arn"] } })]);
  });
});

describe("Data", () => {
  it("runs Aurora Serverless v2 PostgreSQL behind a TLS-only RDS Proxy, credentials in Secrets Manager", () => {
    const r = resources("Data");
    const [[, cluster]] = ofType(r, "AWS::RDS::DBCluster") as [string, any][];
    expect(cluster.Properties).toMatchObject({ Engine: "aurora-postgresql", StorageEncrypted: true, DatabaseName: "polaris" });
    expect(cluster.Properties.ServerlessV2ScalingConfiguration).toEqual({
      MinCapacity: settings.aurora.minAcu,
      MaxCapacity: settings.aurora.maxAcu,
    });
    expect(flat(cluster.Properties.MasterUserPassword)).toContain("{{resolve:secretsmanager:");
    const instances = ofType(r, "AWS::RDS::DBInstance");
    expect(instances.map(([, i]) => i.Properties.DBInstanceClass)).toEqual(Array(1 + settings.aurora.readers).fill("db.serverless"));
    const [[, proxy]] = ofType(r, "AWS::RDS::DBProxy") as [string, any][];
    expect(proxy.Properties).toMatchObject({ EngineFamily: "POSTGRESQL", RequireTLS: true });
    expect(ofType(r, "AWS::SecretsManager::Secret")).toHaveLength(1);
  });

  it("gives database users DATABASE_URL through the proxy, the password resolved from the secret at deploy", () => {
    for (const f of polarisFunctions().filter((x) => x.access.db)) {
      const url = flat(f.resource.Properties.Environment.Variables.DATABASE_URL);
      expect(url).toMatch(
        /^postgres:\/\/polaris:\{\{resolve:secretsmanager:.+:SecretString:password::\}\}@.+Proxy.+:5432\/polaris\?sslmode=verify-full$/,
      );
      expect(f.resource.Properties.VpcConfig.SecurityGroupIds.map(flat).join()).toMatch(/DbClientSg/);
    }
  });

  it("admits only database clients to the proxy and only the proxy to Aurora", () => {
    const r = resources("Data");
    const sg = (description: string) =>
      Object.entries(r).find(([, x]) => x.Type === "AWS::EC2::SecurityGroup" && x.Properties.GroupDescription === description)![0];
    const ingress = ofType(r, "AWS::EC2::SecurityGroupIngress").map(([, x]) => x.Properties);
    const aurora = sg("Aurora: only the RDS Proxy");
    const proxy = sg("RDS Proxy: only Polaris functions");
    const into = (group: string) => ingress.filter((i) => flat(i.GroupId) === `<GetAtt:${group}.GroupId>`);
    const sources = (group: string) => [...new Set(into(group).map((i) => flat(i.SourceSecurityGroupId)))];
    expect(sources(aurora)).toEqual([`<GetAtt:${proxy}.GroupId>`]);
    expect(sources(proxy)).toEqual([`<GetAtt:${sg("Polaris functions that use the database")}.GroupId>`]);
    for (const group of [aurora, proxy]) expect(r[group]!.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it("applies migrations on deploy through a Script that runs the migrate function after the cluster", () => {
    const r = resources("Data");
    const [[, script]] = ofType(r, "Custom::SSTScript") as [string, any][];
    const migrate = polarisFunctions().find((f) => propsOf(f.fn).handler === "functions/jobs/migrate.handler")!;
    expect(flat(script.Properties.UserCreateFunction)).toBe(`<Ref:${migrate.id}>`);
    expect(flat(script.Properties.UserUpdateFunction)).toBe(`<Ref:${migrate.id}>`);
    expect(script.Properties.Version).toMatch(/^[0-9a-f]{16}$/);
    const cluster = ofType(r, "AWS::RDS::DBCluster")[0]![0];
    const writer = ofType(r, "AWS::RDS::DBInstance")[0]![0];
    const scriptId = ofType(r, "Custom::SSTScript")[0]![0];
    expect([r[scriptId]!.DependsOn].flat()).toEqual(expect.arrayContaining([cluster, writer]));
  });

  it("keeps idempotency keys and rate limits in an on-demand table keyed by pk with TTL on expiresAt", () => {
    const [[, table]] = ofType(resources("Data"), "AWS::DynamoDB::Table") as [string, any][];
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });
});

describe("Search", () => {
  it("is an encrypted, HTTPS-only OpenSearch domain in the VPC that only search clients can reach", () => {
    const r = resources("Search");
    const [[, domain]] = ofType(r, "AWS::OpenSearchService::Domain") as [string, any][];
    expect(domain.Properties).toMatchObject({
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true },
    });
    expect(domain.Properties.VPCOptions.SubnetIds.length).toBeGreaterThan(0);
    const sgId = flat(domain.Properties.VPCOptions.SecurityGroupIds[0]).replace(/^<GetAtt:(.*)\.GroupId>$/, "$1");
    const ingress = ofType(r, "AWS::EC2::SecurityGroupIngress")
      .map(([, x]) => x.Properties)
      .filter((i) => flat(i.GroupId) === `<GetAtt:${sgId}.GroupId>`);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({ FromPort: 443, ToPort: 443 });
    const clientSg = flat(ingress[0].SourceSecurityGroupId);
    expect(clientSg).toMatch(/SearchClientSg/);
    // Exactly the functions that were granted search carry that group.
    for (const f of polarisFunctions()) {
      const groups = (f.resource.Properties.VpcConfig?.SecurityGroupIds ?? []).map(flat).join();
      expect(/SearchClientSg/.test(groups), f.id).toBe(Boolean(f.access.search));
    }
  });

  it("gives OpenSearch access to the indexer (write) and the search endpoints (read) only", () => {
    const expected = new Set([
      "functions/events/search-indexer.handler",
      ...routes.filter(([, route]) => httpAccess(route).search).map(([, route]) => handlerOf(route.handler)),
    ]);
    const byRole = new Map(polarisFunctions().map((f) => [`${f.stackName}/${f.role}`, f]));
    const granted = new Map<string, Set<string>>();
    for (const { name, resources: r } of allResources()) {
      for (const { roles, statement } of identityStatements(r)) {
        const es = actionsOf(statement).filter((a) => a.startsWith("es:"));
        if (!es.length) continue;
        for (const role of roles) {
          const f = byRole.get(`${name}/${role}`);
          expect(f, `es:* granted to ${name}/${role}, which is not a Polaris function`).toBeDefined();
          const set = granted.get(propsOf(f!.fn).handler!) ?? new Set();
          es.forEach((a) => set.add(a));
          granted.set(propsOf(f!.fn).handler!, set);
          expect(resourcesOf(statement)).toEqual([`arn:aws:es:${REGION}:${ACCOUNT}:domain/polaris-${STAGE}/*`]);
        }
      }
    }
    expect(new Set(granted.keys())).toEqual(expected);
    for (const [handler, actions] of granted) {
      const writes = [...actions].some((a) => ["es:ESHttpPut", "es:ESHttpDelete", "es:ESHttpPatch"].includes(a));
      expect(writes, handler).toBe(handler === "functions/events/search-indexer.handler");
    }
  });
});

describe("Jobs", () => {
  const jobNames = Object.keys(jobTable) as JobName[];
  const jobArn = (job: JobName) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${names.jobFunction(STAGE, job)}`;

  it("has the schedule group polaris-jobs-<stage> and one named function per job of the contract's job table", () => {
    const r = resources("Jobs");
    expect(ofType(r, "AWS::Scheduler::ScheduleGroup").map(([, g]) => g.Properties.Name)).toEqual([`polaris-jobs-${STAGE}`]);
    for (const job of jobNames) {
      const fn = polarisFunctions().find((f) => propsOf(f.fn).handler === handlerOf(jobTable[job].handler))!;
      expect(fn.stackName).toBe("Jobs");
      expect(fn.resource.Properties.FunctionName).toBe(`polaris-${STAGE}-job-${jobSlug(job)}`);
      expect(flat(fn.resource.Properties.DeadLetterConfig.TargetArn)).toMatch(/jobsdlq/i);
      const retries = ofType(r, "AWS::Lambda::EventInvokeConfig").filter(([, c]) => flat(c.Properties.FunctionName) === `<Ref:${fn.id}>`);
      expect(retries.map(([, c]) => c.Properties.MaximumRetryAttempts)).toEqual([2]);
    }
  });

  it("lets Scheduler (this account, this group) assume a role that can invoke the job functions and nothing else", () => {
    const r = resources("Jobs");
    const [[roleId, role]] = ofType(r, "AWS::IAM::Role").filter(([, x]) =>
      x.Properties.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal?.Service === "scheduler.amazonaws.com"),
    ) as [string, any][];
    const [trust] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust.Condition.StringEquals["aws:SourceAccount"]).toBe(ACCOUNT);
    expect(flat(trust.Condition.ArnLike["aws:SourceArn"])).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/polaris-jobs-${STAGE}/*`);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.RoleName).toBe(names.schedulerRole(STAGE));
    const statements = identityStatements(r).filter((s) => s.roles.includes(roleId));
    expect(statements).toHaveLength(1);
    const [{ statement }] = statements;
    expect(statement.Effect).toBe("Allow");
    expect(actionsOf(statement)).toEqual(["lambda:InvokeFunction"]);
    expect(resourcesOf(statement).sort()).toEqual(jobNames.map(jobArn).sort());
    // No other stack grants anything to the scheduler role (they only read its ARN).
    for (const { name, resources: other } of allResources()) {
      if (name === "Jobs") continue;
      const attached = identityStatements(other).filter((s) => s.roles.some((role) => role.includes(roleId)));
      expect(attached.map((s) => `${name}/${s.policy}`)).toEqual([]);
    }
  });

  it("tells the endpoints that schedule jobs the group, the role and every job's ARN (by name: no cycles)", () => {
    const schedulers = polarisFunctions().filter((f) => f.access.schedules);
    expect(schedulers.length).toBeGreaterThan(0);
    for (const f of schedulers) {
      const env = f.resource.Properties.Environment.Variables;
      expect(env.SCHEDULE_GROUP).toBe(`polaris-jobs-${STAGE}`);
      expect(flat(env.SCHEDULER_ROLE_ARN)).toBe(`arn:aws:iam::${ACCOUNT}:role/polaris-${STAGE}-scheduler`);
      for (const job of jobNames) expect(flat(env[jobArnVariable(job)])).toBe(jobArn(job));
      const statements = identityStatements(resources(f.stackName))
        .filter((s) => s.roles.includes(f.role))
        .map((s) => s.statement);
      const passRole = statements.find((s) => actionsOf(s).includes("iam:PassRole"))!;
      expect(passRole.Condition).toEqual({ StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } });
      const schedule = statements.find((s) => actionsOf(s).includes("scheduler:CreateSchedule"))!;
      expect(resourcesOf(schedule)).toEqual([`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/polaris-jobs-${STAGE}/*`]);
    }
    expect(jobArnVariable("trash.purge")).toBe("JOB_TRASH_PURGE_ARN");
  });
});

describe("functions", () => {
  it("exist for every route and every event and job handler", () => {
    const handlers = polarisFunctions()
      .map((f) => propsOf(f.fn).handler)
      .sort();
    const expected = [
      ...routes.map(([, route]) => route.handler),
      ...Object.values(jobTable).map((j) => j.handler),
      ...Object.values(consumerTable).map((c) => c.handler),
      "functions/jobs/migrate.ts",
    ]
      .map(handlerOf)
      .sort();
    expect(handlers).toEqual(expected);
  });

  it("all run nodejs22.x on arm64 with active tracing, a timeout and a log group with retention", () => {
    const fns = polarisFunctions();
    for (const f of fns) {
      const p = f.resource.Properties;
      expect(propsOf(f.fn).runtime, f.id).toBe("nodejs22.x");
      expect(p.Runtime, f.id).toBe("nodejs22.x");
      expect(p.Architectures, f.id).toEqual(["arm64"]);
      expect(p.TracingConfig, f.id).toEqual({ Mode: "Active" });
      expect(p.Timeout, f.id).toBeGreaterThanOrEqual(15);
      const logGroup = resources(f.stackName)[flat(p.LoggingConfig.LogGroup).replace(/^<Ref:(.*)>$/, "$1")]!;
      expect(logGroup.Type).toBe("AWS::Logs::LogGroup");
      expect(logGroup.Properties.RetentionInDays).toBe(settings.logRetentionDays);
      // Bundles: minified, tree-shaken ESM for node22, the AWS SDK v3 from the runtime.
      const nodejs = propsOf(f.fn).nodejs!;
      expect(nodejs).toMatchObject({ format: "esm", minify: true });
      expect(nodejs.esbuild).toMatchObject({ target: "node22", treeShaking: true });
      expect(nodejs.esbuild!.external).toEqual(BUNDLE_EXTERNALS);
      expect(BUNDLE_EXTERNALS).toContain("@aws-sdk/*");
    }
    // Lambda functions that are not Polaris functions are SST's and CDK's own custom-resource handlers.
    const others = allResources()
      .flatMap(({ resources: r }) => ofType(r, "AWS::Lambda::Function"))
      .filter(([id]) => !fns.some((f) => f.id === id));
    for (const [id] of others) expect(id).toMatch(/^(CustomResourceHandler|BucketNotificationsHandler|MigrationsScriptHandler)/);
  });

  it("get the variables and IAM actions of exactly what they touch", () => {
    const prefixes: Record<Exclude<keyof Access, "bucketKeys">, string[]> = {
      db: [],
      jwt: ["ssm:GetParameters"],
      kv: ["dynamodb:"],
      bucket: ["s3:"],
      events: ["events:"],
      search: ["es:"],
      schedules: ["scheduler:", "iam:PassRole"],
    };
    const variables: Record<Exclude<keyof Access, "bucketKeys">, string[]> = {
      db: ["DATABASE_URL"],
      jwt: ["SST_Secret_value_JWT_SECRET"],
      kv: ["KV_TABLE"],
      bucket: ["S3_BUCKET"],
      events: ["EVENT_BUS_NAME"],
      search: ["OPENSEARCH_URL"],
      schedules: ["SCHEDULE_GROUP", "SCHEDULER_ROLE_ARN", ...Object.keys(jobTable).map((j) => jobArnVariable(j as JobName))],
    };
    for (const f of polarisFunctions()) {
      const env = f.resource.Properties.Environment.Variables;
      const actions = identityStatements(resources(f.stackName))
        .filter((s) => s.roles.includes(f.role))
        .flatMap((s) => actionsOf(s.statement));
      for (const key of Object.keys(prefixes) as (keyof typeof prefixes)[]) {
        const granted = Boolean(Array.isArray(f.access[key]) ? (f.access[key] as unknown[]).length : f.access[key]);
        for (const variable of variables[key]) expect(variable in env, `${f.id} ${variable}`).toBe(granted);
        for (const prefix of prefixes[key])
          expect(
            actions.some((a) => a.startsWith(prefix)),
            `${f.id} ${prefix}`,
          ).toBe(granted);
      }
      // Never a whole service, never an action wildcard.
      for (const action of actions) expect(action, f.id).not.toMatch(/\*/);
      // Bucket access follows the kinds asked for: no deletes for a reader.
      const bucket = new Set(f.access.bucket ?? []);
      expect(actions.includes("s3:DeleteObject"), f.id).toBe(bucket.has("delete"));
      expect(actions.includes("s3:PutObject"), f.id).toBe(bucket.has("write"));
      expect(actions.includes("s3:AbortMultipartUpload"), f.id).toBe(bucket.has("multipart"));
    }
  });

  it("can publish the outbox wherever the runtime publishes it (POST endpoints, consumers, jobs)", () => {
    // Without EVENT_BUS_NAME the composition root falls back to the in-process bus, which in a
    // Lambda has no subscribers: the kick after the work would do nothing and the events would
    // wait for the sweeper (up to a minute) instead of reaching the index at once.
    const publishers = polarisFunctions().filter((f) => {
      const handler = propsOf(f.fn).handler!;
      const route = routes.find(([, r]) => handlerOf(r.handler) === handler)?.[1];
      return route ? route.method === "POST" : !handler.endsWith("/migrate.handler");
    });
    expect(publishers.length).toBeGreaterThan(routes.filter(([, r]) => r.method === "POST").length);
    for (const f of publishers) {
      expect(f.resource.Properties.Environment.Variables.EVENT_BUS_NAME, f.id).toBeDefined();
      expect(f.access.events, f.id).toBe(true);
    }
  });

  it("have no permission on `*` except X-Ray's, which has no resource-level permissions", () => {
    const allowedOnStar = new Set(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    const offenders: string[] = [];
    for (const { name, resources: r } of allResources()) {
      for (const { policy, roles, statement } of identityStatements(r)) {
        if (statement.Effect !== "Allow" || !resourcesOf(statement).includes("*")) continue;
        // CDK's own bucket-notification handler must call s3:PutBucketNotification on a bucket it is not told about.
        if (
          roles.every((role) => role.startsWith("BucketNotificationsHandler")) &&
          actionsOf(statement).join() === "s3:PutBucketNotification"
        )
          continue;
        for (const action of actionsOf(statement)) if (!allowedOnStar.has(action)) offenders.push(`${name}/${policy}: ${action} on *`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("are listed in the route table or the brief; missing modules are reported, not created", () => {
    // The stacks reference handler modules other engineers write; SST's deploy build fails for
    // one that does not exist, so list them (the synth test bundles stubs for them).
    const missing = polarisFunctions()
      .map((f) => propsOf(f.fn).handler!.replace(/\.handler$/, ".ts"))
      .filter((entry) => !existsSync(join(repoRoot, entry)));
    if (missing.length) console.warn(`handler modules not in the work tree yet:\n  ${missing.join("\n  ")}`);
    expect(Array.isArray(missing)).toBe(true);
  });
});

describe("Observability", () => {
  it("has a dashboard and alarms on 5xx rate, p99 latency, every DLQ and indexer lag, published to one topic", () => {
    const r = resources("Observability");
    expect(ofType(r, "AWS::CloudWatch::Dashboard")).toHaveLength(1);
    const alarms = Object.fromEntries(ofType(r, "AWS::CloudWatch::Alarm").map(([id, a]) => [id.replace(/[A-F0-9]{8}$/, ""), a.Properties]));
    expect(Object.keys(alarms)).toEqual(
      expect.arrayContaining([
        "Api5xxRate",
        "ApiLatencyP99",
        "UploadEventsDlqMessages",
        "IndexDlqMessages",
        "JobsDlqMessages",
        "IndexerLag",
      ]),
    );
    expect(alarms.Api5xxRate!.Metrics.find((m: any) => m.Expression)?.Expression).toContain("100 * errors / requests");
    expect(alarms.ApiLatencyP99).toMatchObject({ ExtendedStatistic: "p99", MetricName: "Latency", Namespace: "AWS/ApiGateway" });
    expect(alarms.IndexerLag.Metrics[0].MetricStat).toMatchObject({
      Metric: { MetricName: "IndexerLag", Namespace: "Polaris", Dimensions: [{ Name: "service", Value: "polaris" }] },
      Stat: "p99",
    });
    for (const name of ["UploadEventsDlqMessages", "IndexDlqMessages", "JobsDlqMessages"]) {
      expect(alarms[name]).toMatchObject({ MetricName: "ApproximateNumberOfMessagesVisible", Threshold: 1 });
    }
    const [[topic]] = ofType(r, "AWS::SNS::Topic");
    for (const a of Object.values<any>(alarms)) expect(a.AlarmActions.map(flat)).toEqual([`<Ref:${topic}>`]);
  });
});
