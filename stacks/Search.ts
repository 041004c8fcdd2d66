import { RemovalPolicy } from "aws-cdk-lib";
import { EbsDeviceVolumeType, Port, SecurityGroup, SubnetType } from "aws-cdk-lib/aws-ec2";
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, ResourcePolicy, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { type CfnDomain, Domain, EngineVersion, TLSSecurityPolicy } from "aws-cdk-lib/aws-opensearchservice";
import { use, type StackContext } from "sst/constructs";
import { consumerTable } from "@polaris/contract";
import { polarisFunction } from "./lib/functions";
import type { Platform } from "./lib/platform";
import { Data } from "./Data";
import { Events } from "./Events";
import { Network } from "./Network";

/**
 * Filename search: a managed Amazon OpenSearch Service domain in the VPC.
 *
 * Why a domain and not an OpenSearch Serverless collection: a collection bills at least one OCU
 * for indexing and one for search around the clock (~US$350/month, ~$175 with the half-OCU
 * minimum), while a single t3.small.search node costs ~$26/month for a throwaway stage and
 * r7g nodes scale a production one. The indexer also writes with external versioning (so a
 * replayed or reordered event can never make the index older), which a domain supports as-is;
 * the domain's ngram/CJK analyzers and update API are the same engine the parity tests run.
 *
 * Least privilege, twice: the domain's resource policy delegates to IAM in this account, and
 * only the indexer (write) and the search endpoints (read) carry es:ESHttp* identity policies;
 * its security group admits HTTPS only from their security group.
 */
export function Search({ stack, app }: StackContext) {
  const { settings, network } = use(Network);
  const { vpc } = network;
  const { database } = use(Data);

  const domainName = `polaris-${app.stage.toLowerCase()}`.slice(0, 28).replace(/-+$/, "");
  const domainArn = stack.formatArn({ service: "es", resource: "domain", resourceName: domainName });
  const domainSg = new SecurityGroup(stack, "SearchSg", {
    vpc,
    description: "OpenSearch: HTTPS from search clients only",
    allowAllOutbound: false,
  });
  const clientSg = new SecurityGroup(stack, "SearchClientSg", {
    vpc,
    description: "Polaris functions that use OpenSearch",
    allowAllOutbound: true,
  });
  domainSg.addIngressRule(clientSg, Port.tcp(443), "HTTPS from search clients");

  const { dataNodes, instanceType, volumeGiB } = settings.search;
  const isolated = vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED }).subnets;
  const logs = settings.production ? searchLogs(stack, domainArn, settings.logRetentionDays, settings.retain) : undefined;
  const domain = new Domain(stack, "Domain", {
    domainName,
    version: EngineVersion.OPENSEARCH_2_19,
    vpc,
    vpcSubnets: [{ subnets: isolated.slice(0, dataNodes > 1 ? 2 : 1) }],
    securityGroups: [domainSg],
    capacity: { dataNodes, dataNodeInstanceType: instanceType, multiAzWithStandbyEnabled: false },
    zoneAwareness: dataNodes > 1 ? { enabled: true, availabilityZoneCount: 2 } : undefined,
    ebs: { volumeSize: volumeGiB, volumeType: EbsDeviceVolumeType.GP3 },
    encryptionAtRest: { enabled: true },
    nodeToNodeEncryption: true,
    enforceHttps: true,
    tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2,
    logging: logs && {
      slowSearchLogEnabled: true,
      slowSearchLogGroup: logs.slowSearch,
      slowIndexLogEnabled: true,
      slowIndexLogGroup: logs.slowIndex,
      appLogEnabled: true,
      appLogGroup: logs.app,
    },
    // The policy is ours (logs.policy below); CDK's would be one more custom resource.
    suppressLogsResourcePolicy: true,
    removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  if (logs) domain.node.addDependency(logs.policy);
  // Set on the L1 resource: CDK's accessPolicies prop deploys a custom resource to do the same.
  (domain.node.defaultChild as CfnDomain).accessPolicies = new PolicyDocument({
    statements: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new AccountRootPrincipal()],
        actions: ["es:ESHttp*"],
        resources: [`${domainArn}/*`],
      }),
    ],
  }).toJSON();

  const search: NonNullable<Platform["search"]> = {
    domainArn,
    url: (app.mode === "dev" && settings.dev.openSearchUrl) || `https://${domain.domainEndpoint}`,
    clientSecurityGroup: clientSg,
  };
  const { bus, busQueues } = use(Events);
  const platform: Platform = { settings, network, database, search, bus };
  const indexerConsumer = consumerTable["search-indexer"];
  const indexer = polarisFunction(
    stack,
    "SearchIndexer",
    {
      entry: indexerConsumer.handler,
      // Re-reads rows, writes the index; the batch handler publishes any pending outbox rows.
      access: { db: true, search: "write", events: true },
      timeout: `${indexerConsumer.timeoutSeconds} seconds`,
      memorySize: "512 MB",
    },
    platform,
  );
  busQueues.consume(stack, "search-indexer", indexer);

  return { search, domain, indexer };
}

function searchLogs(stack: import("sst/constructs").Stack, domainArn: string, days: number, retain: boolean) {
  const group = (id: string) =>
    new LogGroup(stack, id, {
      retention: days as RetentionDays,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  const slowSearch = group("SearchSlowSearchLogs");
  const slowIndex = group("SearchSlowIndexLogs");
  const app = group("SearchAppLogs");
  const policy = new ResourcePolicy(stack, "SearchLogsPolicy", {
    policyStatements: [
      new PolicyStatement({
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal("es.amazonaws.com")],
        actions: ["logs:PutLogEvents", "logs:CreateLogStream"],
        resources: [slowSearch, slowIndex, app].map((g) => g.logGroupArn),
        conditions: { StringEquals: { "aws:SourceAccount": stack.account }, ArnLike: { "aws:SourceArn": domainArn } },
      }),
    ],
  });
  return { slowSearch, slowIndex, app, policy };
}
