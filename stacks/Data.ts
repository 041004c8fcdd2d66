import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Port, SecurityGroup, SubnetType } from "aws-cdk-lib/aws-ec2";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { AuroraPostgresEngineVersion, ClusterInstance, Credentials, DatabaseCluster, DatabaseClusterEngine } from "aws-cdk-lib/aws-rds";
import { Script, Table, use, type StackContext } from "sst/constructs";
import { useProject } from "sst/project.js";
import { polarisFunction } from "./lib/functions";
import type { Platform } from "./lib/platform";
import { Network } from "./Network";

export const DATABASE_NAME = "polaris";
export const DATABASE_USER = "polaris";
/** Generated passwords stay URL-safe: they are spliced into DATABASE_URL. */
const NOT_URL_SAFE = " %+~`#$&*()|[]{}:;<>?!'/@\"\\,=^.-_";

/**
 * The system of record and the small key-value table.
 *
 * Access path: Aurora Serverless v2 PostgreSQL behind an RDS Proxy, reached with the `pg` driver
 * that the adapters already use (kysely's PostgresDialect via DATABASE_URL). The RDS Data API
 * would spare the VPC, but every statement becomes an HTTPS call (tens of milliseconds each,
 * interactive transactions as API round trips, 1 MB result cap) and the product's tree
 * operations and outbox writes are multi-statement transactions; the proxy gives pooled,
 * TLS-only connections that survive Lambda fan-out.
 */
export function Data({ stack, app }: StackContext) {
  const { settings, network } = use(Network);
  const { vpc } = network;
  const isolated = { subnetType: SubnetType.PRIVATE_ISOLATED };

  const auroraSg = new SecurityGroup(stack, "AuroraSg", { vpc, description: "Aurora: only the RDS Proxy", allowAllOutbound: false });
  const proxySg = new SecurityGroup(stack, "ProxySg", { vpc, description: "RDS Proxy: only Polaris functions", allowAllOutbound: false });
  const clientSg = new SecurityGroup(stack, "DbClientSg", {
    vpc,
    description: "Polaris functions that use the database",
    allowAllOutbound: true,
  });
  // Proxy → Aurora on the cluster's port is added by addProxy below; clients → proxy is ours.
  proxySg.addIngressRule(clientSg, Port.tcp(5432), "from database clients");

  const clusterIdentifier = `polaris-${app.stage.toLowerCase()}`;
  // Created ahead of the cluster so its retention is ours (RDS would create it without one).
  const postgresLogs = new LogGroup(stack, "AuroraLogs", {
    logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
    retention: settings.logRetentionDays as RetentionDays,
    removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  const cluster = new DatabaseCluster(stack, "Aurora", {
    clusterIdentifier,
    engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_16_8 }),
    // Credentials live in Secrets Manager; the proxy authenticates with the same secret.
    credentials: Credentials.fromGeneratedSecret(DATABASE_USER, { excludeCharacters: NOT_URL_SAFE }),
    defaultDatabaseName: DATABASE_NAME,
    writer: ClusterInstance.serverlessV2("writer", { autoMinorVersionUpgrade: true }),
    readers: Array.from({ length: settings.aurora.readers }, (_, i) =>
      ClusterInstance.serverlessV2(`reader${i + 1}`, { scaleWithWriter: true, autoMinorVersionUpgrade: true }),
    ),
    serverlessV2MinCapacity: settings.aurora.minAcu,
    serverlessV2MaxCapacity: settings.aurora.maxAcu,
    vpc,
    vpcSubnets: isolated,
    securityGroups: [auroraSg],
    storageEncrypted: true,
    iamAuthentication: true,
    deletionProtection: settings.production,
    backup: { retention: Duration.days(settings.aurora.backupDays) },
    cloudwatchLogsExports: ["postgresql"],
    removalPolicy: settings.retain ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
  });
  cluster.node.addDependency(postgresLogs);
  const secret = cluster.secret!;

  const proxy = cluster.addProxy("Proxy", {
    secrets: [secret],
    vpc,
    vpcSubnets: isolated,
    securityGroups: [proxySg],
    requireTLS: true,
  });

  // The password reaches the functions as a CloudFormation dynamic reference, resolved at
  // deploy time: it is never in the template, only in the functions' configuration.
  const password = secret.secretValueFromJson("password").unsafeUnwrap();
  const proxyUrl = `postgres://${DATABASE_USER}:${password}@${proxy.endpoint}:5432/${DATABASE_NAME}?sslmode=verify-full`;
  const database: NonNullable<Platform["database"]> = {
    url: (app.mode === "dev" && settings.dev.databaseUrl) || proxyUrl,
    clientSecurityGroup: clientSg,
  };

  // Idempotency keys and rate-limit counters: one string key, items expire through TTL.
  const kv = new Table(stack, "kv", {
    fields: { pk: "string" },
    primaryIndex: { partitionKey: "pk" },
    timeToLiveAttribute: "expiresAt",
    cdk: { table: { removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY } },
  });

  // Migrations run on every deploy whose migration code changed, before the stacks that
  // depend on this one (the API) are updated.
  const platform: Platform = { settings, network, database };
  const migrate = polarisFunction(
    stack,
    "Migrate",
    {
      entry: "functions/jobs/migrate.ts",
      access: { db: true },
      timeout: "5 minutes",
      memorySize: "512 MB",
      enableLiveDev: false,
    },
    platform,
  );
  const migrations = new Script(stack, "Migrations", {
    onCreate: migrate,
    onUpdate: migrate,
    version: migrationsVersion(),
  });
  migrations.node.addDependency(cluster, proxy);

  stack.addOutputs({ DatabaseSecretArn: secret.secretArn, DatabaseProxyEndpoint: proxy.endpoint });
  return { database, kv: kv.cdk.table, cluster, proxy, secret, migrate };
}

/** A digest of the migration code: the Script re-runs when (and only when) it changes. */
export function migrationsVersion(): string {
  const root = useProject().paths.root;
  const inputs = ["packages/core/src/db/migrations", "packages/core/src/db/migrate.ts", "functions/jobs/migrate.ts"];
  const hash = createHash("sha256");
  const add = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) add(join(path, entry));
      return;
    }
    hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
  };
  for (const input of inputs) add(join(root, input));
  return hash.digest("hex").slice(0, 16);
}
