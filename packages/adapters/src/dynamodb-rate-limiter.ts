import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RateLimiter } from "@polaris/core";
import { isConditionFailure } from "./dynamodb";

/**
 * Fixed-window counters as DynamoDB items `pk = "rl#<key>"` with a TTL attribute `expiresAt`
 * (epoch seconds). TTL deletion is lazy on AWS (and never happens on moto), so an item whose
 * `expiresAt` has passed counts as absent everywhere, and the next attempt starts a new window over it.
 * A take is one conditional write (count below the limit), so racing requests cannot overtake it.
 */
export function createDynamoRateLimiter(options: { client: DynamoDBDocumentClient; table: string; now?: () => number }): RateLimiter {
  const { client, table: TableName } = options;
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const Key = (key: string) => ({ pk: `rl#${key}` });
  return {
    async take(key, limit, windowSeconds) {
      for (;;) {
        const now = nowSeconds();
        try {
          // A live window below its limit (or none yet) takes one; the first attempt fixes when it ends.
          await client.send(
            new UpdateCommand({
              TableName,
              Key: Key(key),
              UpdateExpression: "ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)",
              ConditionExpression: "attribute_not_exists(pk) OR (expiresAt > :now AND #count < :limit)",
              ExpressionAttributeNames: { "#count": "count" },
              ExpressionAttributeValues: { ":one": 1, ":expiresAt": now + windowSeconds, ":now": now, ":limit": limit },
            }),
          );
          return true;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        // The window is full, or over with its item still stored.
        const { Item } = await client.send(new GetCommand({ TableName, Key: Key(key), ConsistentRead: true }));
        if (Item && Item.expiresAt > now && Number(Item.count) >= limit) return false;
        // Reset or given back meanwhile: take again.
        if (!Item || Item.expiresAt > now) continue;
        try {
          // Start a new window over the old one, unless a racing attempt just did.
          await client.send(
            new PutCommand({
              TableName,
              Item: { ...Key(key), count: 1, expiresAt: now + windowSeconds },
              ConditionExpression: "expiresAt <= :now",
              ExpressionAttributeValues: { ":now": now },
            }),
          );
          return true;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
    },
    async giveBack(key) {
      try {
        await client.send(
          new UpdateCommand({
            TableName,
            Key: Key(key),
            UpdateExpression: "ADD #count :minusOne",
            // Only into a live window, never below zero, never creating an item.
            ConditionExpression: "expiresAt > :now AND #count > :zero",
            ExpressionAttributeNames: { "#count": "count" },
            ExpressionAttributeValues: { ":minusOne": -1, ":now": nowSeconds(), ":zero": 0 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async reset(key) {
      await client.send(new DeleteCommand({ TableName, Key: Key(key) }));
    },
  };
}
