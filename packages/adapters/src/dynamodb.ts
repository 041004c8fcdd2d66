import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** The key-value table the DynamoDB adapters share, through a document client (plain JS values in and out). */
export function openDynamoTable(config: DynamoDBClientConfig, table: string) {
  const base = new DynamoDBClient(config);
  return {
    client: DynamoDBDocumentClient.from(base),
    table,
    // The document client's own destroy() is a no-op: the sockets belong to the base client.
    destroy: () => base.destroy(),
  };
}

export const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === "ConditionalCheckFailedException";
