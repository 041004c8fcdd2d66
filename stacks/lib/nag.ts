import { Aspects, Stack as CdkStack } from "aws-cdk-lib";
import { AwsSolutionsChecks, NagSuppressions, type NagPackSuppression } from "cdk-nag";
import type { IConstruct } from "constructs";
import { Function, type App } from "sst/constructs";
import { accessOf } from "./functions";
import { stageSettings } from "../settings";

/**
 * cdk-nag's AwsSolutions pack over the whole app. Every finding that is accepted is suppressed
 * here, next to its reason; anything else stays a finding (an error annotation) and fails the
 * stack tests.
 */
export function applyNag(app: App) {
  const production = stageSettings(app.stage).production;
  for (const stack of app.node.children) {
    if (!(stack instanceof CdkStack)) continue;
    suppressGeneratedConstructs(stack);
    for (const node of stack.node.findAll()) {
      if (node instanceof Function && accessOf.has(node)) suppressForFunction(node);
    }
  }
  suppressAcceptedDesign(app, production);
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}

const LAMBDA_BASIC = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const LAMBDA_VPC = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const regex = (source: string) => ({ regex: `/${source}/` });

function at(scope: IConstruct, path: string, suppressions: NagPackSuppression[]) {
  const target = scope.node.tryFindChild(path.split("/")[0]!);
  if (!target) return;
  NagSuppressions.addResourceSuppressions(target, suppressions, true);
}

/** Constructs SST and CDK generate on our behalf; their IAM is theirs to decide. */
function suppressGeneratedConstructs(stack: CdkStack) {
  at(stack, "CustomResourceHandler", [
    {
      id: "AwsSolutions-IAM4",
      appliesTo: [LAMBDA_BASIC],
      reason: "SST's per-stack custom-resource function (secret prefetch, script runs): the standard execution role for its own logs.",
    },
  ]);
  for (const child of stack.node.children) {
    if (child.node.id.startsWith("BucketNotificationsHandler")) {
      NagSuppressions.addResourceSuppressions(
        child,
        [
          {
            id: "AwsSolutions-IAM4",
            appliesTo: [LAMBDA_BASIC],
            reason: "CDK's bucket-notification custom resource: execution role for its own logs.",
          },
          {
            id: "AwsSolutions-IAM5",
            appliesTo: ["Resource::*"],
            reason:
              "CDK's singleton notification handler calls s3:PutBucketNotification, which it is not given a bucket for at the role level.",
          },
        ],
        true,
      );
    }
  }
  for (const node of stack.node.findAll()) {
    if (node.node.id === "ScriptHandler") {
      NagSuppressions.addResourceSuppressions(
        node,
        [
          {
            id: "AwsSolutions-IAM4",
            appliesTo: [LAMBDA_BASIC],
            reason: "SST Script's custom-resource handler: execution role for its own logs.",
          },
          {
            id: "AwsSolutions-IAM5",
            appliesTo: [regex("^Resource::<Migrate[A-Za-z0-9]+\\.Arn>:\\*$")],
            reason: "SST Script invokes the migrate function (any version of that one function).",
          },
        ],
        true,
      );
    }
    if (node.node.id === "SecretPrefetcherPolicy") {
      NagSuppressions.addResourceSuppressions(node, [
        {
          id: "AwsSolutions-IAM5",
          appliesTo: [regex("^Resource::arn:<AWS::Partition>:ssm:[^:]+:[0-9]+:parameter/sst/polaris/[^*]+/\\*$")],
          reason:
            "SST's secret prefetcher reads this stage's (and the fallback) SST Config parameters at deploy time to put JWT_SECRET into the function's configuration.",
        },
      ]);
    }
  }
}

/** What polarisFunction grants, finding by finding. */
function suppressForFunction(fn: Function) {
  const access = accessOf.get(fn)!;
  const suppressions: NagPackSuppression[] = [
    {
      id: "AwsSolutions-IAM4",
      appliesTo: [LAMBDA_BASIC],
      reason: "Lambda's standard execution role: writes to the function's own log group.",
    },
    {
      id: "AwsSolutions-IAM5",
      appliesTo: ["Resource::*"],
      reason: "X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) has no resource-level permissions.",
    },
  ];
  if (access.db || access.search) {
    suppressions.push({
      id: "AwsSolutions-IAM4",
      appliesTo: [LAMBDA_VPC],
      reason: "The function runs in the VPC (RDS Proxy, OpenSearch): ENI management for Lambda's Hyperplane interfaces.",
    });
  }
  if (access.bucket?.length) {
    suppressions.push({
      id: "AwsSolutions-IAM5",
      appliesTo: [regex("^Resource::<files[A-Za-z0-9]+\\.Arn>/([a-z]+/)?\\*$")],
      reason:
        "Object-level actions on the one files bucket (or one prefix of it: blobs/, thumbnails/); object keys are content and session addresses chosen at run time.",
    });
  }
  if (access.search) {
    suppressions.push({
      id: "AwsSolutions-IAM5",
      appliesTo: [regex("^Resource::arn:<AWS::Partition>:es:[^:]+:[0-9]+:domain/polaris-[a-z0-9-]+/\\*$")],
      reason: "HTTP paths (indices, _search, _bulk) of the one Polaris OpenSearch domain.",
    });
  }
  if (access.schedules) {
    suppressions.push({
      id: "AwsSolutions-IAM5",
      appliesTo: [regex("^Resource::arn:<AWS::Partition>:scheduler:[^:]+:[0-9]+:schedule/polaris-jobs-[A-Za-z0-9-]+/\\*$")],
      reason: "One-time schedules in the Polaris job group; each schedule is named after the item it expires, at run time.",
    });
  }
  NagSuppressions.addResourceSuppressions(fn, suppressions, true);
}

/** Findings that are design decisions, with the decision. */
function suppressAcceptedDesign(app: App, production: boolean) {
  for (const stack of app.node.children) {
    if (!(stack instanceof CdkStack)) continue;
    const aurora = stack.node.tryFindChild("Aurora");
    if (aurora) {
      NagSuppressions.addResourceSuppressions(
        aurora,
        [
          {
            id: "AwsSolutions-SMG4",
            reason:
              "The password reaches the functions' DATABASE_URL at deploy time; rotating it without a redeploy would lock them out. Rotation comes with IAM authentication to the proxy (see the README's Deploy section).",
          },
          ...(production
            ? []
            : [
                {
                  id: "AwsSolutions-RDS10",
                  reason: "Throwaway stages are removed with `sst remove`; production stages enable deletion protection.",
                },
              ]),
        ],
        true,
      );
    }
    const domain = stack.node.tryFindChild("Domain");
    if (domain) {
      NagSuppressions.addResourceSuppressions(
        domain,
        [
          {
            id: "AwsSolutions-OS3",
            reason:
              "The domain lives in isolated VPC subnets; its security group admits only the search functions' group, and every request is SigV4-signed and authorised by IAM. There are no client IPs to allow-list.",
          },
          {
            id: "AwsSolutions-OS4",
            reason:
              "One index of file names: dedicated master nodes would triple the domain's cost for a cluster of at most two data nodes.",
          },
          ...(production
            ? []
            : [
                { id: "AwsSolutions-OS7", reason: "Throwaway stages run one data node; production runs two with zone awareness." },
                {
                  id: "AwsSolutions-OS9",
                  reason:
                    "Slow logs need a CloudWatch Logs resource policy (10 per account and region); throwaway stages skip them, production publishes them.",
                },
              ]),
        ],
        true,
      );
    }
    for (const node of stack.node.findAll()) {
      // SST names an HTTP API route construct after its route key.
      if (
        node.node.id.startsWith("Route_") &&
        (node.node.defaultChild as { cfnResourceType?: string } | undefined)?.cfnResourceType === "AWS::ApiGatewayV2::Route"
      ) {
        NagSuppressions.addResourceSuppressions(
          node,
          [
            {
              id: "AwsSolutions-APIG4",
              reason:
                "Authorisation is in the function: routes marked `jwt` in the route table verify the HS256 access token (jose) before any work; API Gateway's JWT authorizer only verifies JWKS-published keys. Routes marked `none` are public by contract (register, login, share links, health, docs); `optional` ones too, verifying a token only when one is sent (share validate, where the owner needs no code).",
            },
          ],
          true,
        );
      }
    }
  }
}
