// The DynamoDB adapters against the parity endpoint's real table (moto, or LocalStack when
// AWS_ENDPOINT_URL says so): windows and expiry follow an injected clock, never a wait.
// Concurrent writes to one item are not tested here: moto applies a conditional write as an
// unlocked read-check-write, so racing requests can both pass (25 parallel takes with a limit of 5
// let 6 through); DynamoDB itself makes each atomic.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoIdempotencyStore, createDynamoRateLimiter, openDynamoTable } from "@polaris/adapters";
import { awsClientConfig, loadConfig } from "@polaris/runtime";
import { resourceEnv, up } from "../services/index";

let kv: ReturnType<typeof openDynamoTable>;
let now = Date.now();
const clock = () => now;
beforeAll(async () => {
  const config = loadConfig(resourceEnv(await up(["aws"])));
  kv = openDynamoTable(awsClientConfig(config), config.KV_TABLE!);
});
afterAll(() => kv?.destroy());

describe("DynamoDB rate limiter", () => {
  it("takes attempts up to the limit in a fixed window, gives them back, and starts a new window over an expired item", async () => {
    const limiter = createDynamoRateLimiter({ ...kv, now: clock });
    const key = `login#${randomUUID()}`;
    expect(await limiter.take(key, 2, 60)).toBe(true);
    now += 30_000;
    expect(await limiter.take(key, 2, 60)).toBe(true);
    expect(await limiter.take(key, 2, 60)).toBe(false);
    // A refusal took nothing; a given-back attempt can be taken again.
    await limiter.giveBack(key);
    expect(await limiter.take(key, 2, 60)).toBe(true);
    expect(await limiter.take(key, 2, 60)).toBe(false);
    // The window started at the first attempt: 61 s after it, the item is still stored (TTL is lazy) but counts as gone.
    now += 31_000;
    await limiter.giveBack(key);
    expect(await limiter.take(key, 2, 60)).toBe(true);
    expect(await limiter.take(key, 2, 60)).toBe(true);
    expect(await limiter.take(key, 2, 60)).toBe(false);
    // Giving back after a reset creates nothing.
    await limiter.reset(key);
    await limiter.giveBack(key);
    expect(await limiter.take(key, 1, 60)).toBe(true);
    expect(await limiter.take(key, 1, 60)).toBe(false);
  });
});

describe("DynamoDB idempotency store", () => {
  it("claims once, reports the holder, stores the response, releases and takes over expired keys", async () => {
    const store = createDynamoIdempotencyStore({ ...kv, now: clock });
    const scope = `7:/file/v1/folder/create`;
    const key = randomUUID();
    expect(await store.claim(scope, key, "hash-a", 60)).toBeNull();
    expect(await store.claim(scope, key, "hash-a", 60)).toEqual({ status: "in_progress", requestHash: "hash-a" });
    await store.complete(scope, key, '{"code":200}');
    expect(await store.claim(scope, key, "hash-b", 60)).toEqual({ status: "done", requestHash: "hash-a", response: '{"code":200}' });
    // Another scope is another key.
    expect(await store.claim("8:/file/v1/folder/create", key, "hash-a", 60)).toBeNull();

    now += 61_000;
    expect(await store.claim(scope, key, "hash-c", 60)).toBeNull();
    expect(await store.claim(scope, key, "hash-c", 60)).toEqual({ status: "in_progress", requestHash: "hash-c" });
    await store.release(scope, key);
    // Completing a released key does not bring it back.
    await store.complete(scope, key, "late");
    expect(await store.claim(scope, key, "hash-d", 60)).toBeNull();
  });
});
