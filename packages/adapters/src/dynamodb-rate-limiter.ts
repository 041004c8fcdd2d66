import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RateLimiter } from "@polaris/core";
import { isConditionFailure } from "./dynamodb";

/**
 * Fixed-window counters as DynamoDB items `pk = "rl#<key>"` with a TTL attribute `expiresAt`
 * (epoch seconds). TTL deletion is lazy on AWS (and never happens on moto), so an item whose
 * `expiresAt` has passed counts as absent everywhere, and the next hit starts a new window over it.
 */
export function createDynamoRateLimiter(options: { client: DynamoDBDocumentClient; table: string; now?: () => number }): RateLimiter {
  const { client, table: TableName } = options;
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const Key = (key: string) => ({ pk: `rl#${key}` });
  return {
    async count(key) {
      const { Item } = await client.send(new GetCommand({ TableName, Key: Key(key), ConsistentRead: true }));
      return Item && Item.expiresAt > nowSeconds() ? Number(Item.count) : 0;
    },
    async increment(key, windowSeconds) {
      for (;;) {
        const now = nowSeconds();
        try {
          // A live window (or none yet) counts up; the first hit fixes when it ends.
          const { Attributes } = await client.send(new UpdateCommand({
            TableName,
            Key: Key(key),
            UpdateExpression: "ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)",
            ConditionExpression: "attribute_not_exists(pk) OR expiresAt > :now",
            ExpressionAttributeNames: { "#count": "count" },
            ExpressionAttributeValues: { ":one": 1, ":expiresAt": now + windowSeconds, ":now": now },
            ReturnValues: "UPDATED_NEW",
          }));
          return Number(Attributes!.count);
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        try {
          // The window is over but its item is still there: start a new one, unless a racing hit just did.
          await client.send(new PutCommand({
            TableName,
            Item: { ...Key(key), count: 1, expiresAt: now + windowSeconds },
            ConditionExpression: "expiresAt <= :now",
            ExpressionAttributeValues: { ":now": now },
          }));
          return 1;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
    },
    async reset(key) {
      await client.send(new DeleteCommand({ TableName, Key: Key(key) }));
    },
  };
}
