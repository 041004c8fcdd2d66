import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IdempotencyRecord, IdempotencyStore } from "@polaris/core";
import { isConditionFailure } from "./dynamodb";

/**
 * Idempotency keys as DynamoDB items `pk = "idem#<scope>#<key>"` with a TTL attribute `expiresAt`
 * (epoch seconds); an expired item is taken over, whether or not TTL has deleted it yet.
 * Powertools' idempotency utility is not used: it wraps whole handlers (our middy stack claims per
 * route scope and request hash) and its 2.35 release doesn't match the 2.36 Powertools pins.
 */
export function createDynamoIdempotencyStore(options: { client: DynamoDBDocumentClient; table: string; now?: () => number }): IdempotencyStore {
  const { client, table: TableName } = options;
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const Key = (scope: string, key: string) => ({ pk: `idem#${scope}#${key}` });
  return {
    async claim(scope, key, requestHash, ttlSeconds) {
      for (;;) {
        const now = nowSeconds();
        try {
          await client.send(new PutCommand({
            TableName,
            Item: { ...Key(scope, key), status: "in_progress", requestHash, expiresAt: now + ttlSeconds },
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
            ExpressionAttributeValues: { ":now": now },
          }));
          return null;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        const { Item } = await client.send(new GetCommand({ TableName, Key: Key(scope, key), ConsistentRead: true }));
        // Released or expired since the failed claim: claim again.
        if (!Item || Item.expiresAt < nowSeconds()) continue;
        return (Item.status === "done"
          ? { status: "done", requestHash: Item.requestHash, response: Item.response ?? "" }
          : { status: "in_progress", requestHash: Item.requestHash }) satisfies IdempotencyRecord;
      }
    },
    async complete(scope, key, response) {
      try {
        await client.send(new UpdateCommand({
          TableName,
          Key: Key(scope, key),
          UpdateExpression: "SET #status = :done, #response = :response",
          // A released key stays released: an update would otherwise create a bare item.
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#status": "status", "#response": "response" },
          ExpressionAttributeValues: { ":done": "done", ":response": response },
        }));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async release(scope, key) {
      await client.send(new DeleteCommand({ TableName, Key: Key(scope, key) }));
    },
  };
}
