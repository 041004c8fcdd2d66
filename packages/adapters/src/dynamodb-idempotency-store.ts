import { randomUUID } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { heldClaim, type IdempotencyStore } from "@polaris/core";
import { isConditionFailure } from "./dynamodb";

/**
 * Idempotency keys as DynamoDB items `pk = "idem#<scope>#<key>"` with a TTL attribute `expiresAt`
 * (epoch seconds): in progress, the end of the claim's lease; done, the end of the record's TTL.
 * Past it the item is taken over by a conditional put, whether or not TTL has deleted it yet; `lease`
 * names the claim, so a request taken for dead cannot complete or release its successor's claim.
 * Powertools' idempotency utility is not used: it wraps whole handlers (our middy stack claims per
 * route scope and request hash) and its 2.35 release doesn't match the 2.36 Powertools pins.
 */
export function createDynamoIdempotencyStore(options: {
  client: DynamoDBDocumentClient;
  table: string;
  now?: () => number;
}): IdempotencyStore {
  const { client, table: TableName } = options;
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const Key = (scope: string, key: string) => ({ pk: `idem#${scope}#${key}` });
  const ours = { ConditionExpression: "#lease = :lease", ExpressionAttributeNames: { "#lease": "lease" } };
  return {
    async claim(scope, key, requestHash, leaseSeconds) {
      for (;;) {
        const now = nowSeconds();
        const lease = randomUUID();
        try {
          await client.send(
            new PutCommand({
              TableName,
              Item: { ...Key(scope, key), status: "in_progress", requestHash, lease, expiresAt: now + leaseSeconds },
              ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now",
              ExpressionAttributeValues: { ":now": now },
            }),
          );
          return { claimed: true, lease };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        const { Item } = await client.send(new GetCommand({ TableName, Key: Key(scope, key), ConsistentRead: true }));
        // Released or past its time since the failed claim: claim again.
        if (!Item || Item.expiresAt < nowSeconds()) continue;
        return heldClaim(Item.status, Item.requestHash, Item.response);
      }
    },
    async complete(scope, key, lease, response, ttlSeconds) {
      try {
        await client.send(
          new UpdateCommand({
            TableName,
            Key: Key(scope, key),
            UpdateExpression: "SET #status = :done, #response = :response, expiresAt = :expiresAt",
            // Released or taken over: the key is someone else's (an update would otherwise create a bare item).
            ConditionExpression: ours.ConditionExpression,
            ExpressionAttributeNames: { ...ours.ExpressionAttributeNames, "#status": "status", "#response": "response" },
            ExpressionAttributeValues: { ":done": "done", ":response": response, ":expiresAt": nowSeconds() + ttlSeconds, ":lease": lease },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async release(scope, key, lease) {
      try {
        await client.send(new DeleteCommand({ TableName, Key: Key(scope, key), ...ours, ExpressionAttributeValues: { ":lease": lease } }));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
