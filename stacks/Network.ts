import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, IpAddresses, SubnetType, Vpc } from "aws-cdk-lib/aws-ec2";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { RemovalPolicy } from "aws-cdk-lib";
import type { StackContext } from "sst/constructs";
import { stageSettings } from "./settings";

/**
 * The VPC that Aurora, the RDS Proxy and OpenSearch live in, and that every function reaching
 * them joins. Two AZs; databases in isolated subnets; functions in private subnets whose
 * traffic to AWS APIs leaves through S3/DynamoDB gateway endpoints (free, and they keep the
 * object traffic off the NAT) or the NAT gateway (EventBridge, Scheduler, SQS).
 */
export function Network({ stack, app }: StackContext) {
  const settings = stageSettings(app.stage);
  const vpc = new Vpc(stack, "Vpc", {
    ipAddresses: IpAddresses.cidr("10.42.0.0/16"),
    maxAzs: 2,
    natGateways: settings.natGateways,
    subnetConfiguration: [
      { name: "public", subnetType: SubnetType.PUBLIC, cidrMask: 24 },
      { name: "app", subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      { name: "data", subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
    gatewayEndpoints: {
      s3: { service: GatewayVpcEndpointAwsService.S3 },
      dynamodb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
    },
  });
  // Rejected traffic only: enough to debug a security group, a fraction of a full flow log's cost.
  vpc.addFlowLog("RejectedFlows", {
    trafficType: FlowLogTrafficType.REJECT,
    destination: FlowLogDestination.toCloudWatchLogs(
      new LogGroup(stack, "FlowLogs", {
        retention: RetentionDays.TWO_WEEKS,
        removalPolicy: settings.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      }),
    ),
  });
  return { settings, network: { vpc } };
}
