// The DynamoDB adapters against the parity endpoint's real table (moto, or LocalStack when
// AWS_ENDPOINT_URL says so): windows and expiry follow an injected clock, never a wait.
// Concurrent writes to one item are not tested here: moto applies a conditional write as an
// unlocked read-check-write, so racing requests can both pass (25 parallel takes with a limit of 5
// let 6 through); DynamoDB itself makes each atomic.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoIdempotencyStore, createDynamoRateLimiter, openDynamoTable } from "@polaris/adapters";
import { awsClientConfig, loadConfig } from "@polaris/runtime";
import { resourceEnv, up } from "@polaris/infra-local/services";

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
    const first = await store.claim(scope, key, "hash-a", 60);
    if (!first.claimed) throw new Error("not claimed");
    expect(await store.claim(scope, key, "hash-a", 60)).toEqual({
      claimed: false,
      record: { status: "in_progress", requestHash: "hash-a" },
    });
    await store.complete(scope, key, first.lease, '{"code":200}', 3600);
    expect(await store.claim(scope, key, "hash-b", 60)).toEqual({
      claimed: false,
      record: { status: "done", requestHash: "hash-a", response: '{"code":200}' },
    });
    // Another scope is another key.
    expect(await store.claim("8:/file/v1/folder/create", key, "hash-a", 60)).toMatchObject({ claimed: true });
    // The answer is kept for its TTL, not the lease.
    now += 61_000;
    expect(await store.claim(scope, key, "hash-b", 60)).toMatchObject({ claimed: false, record: { status: "done" } });

    now += 3600_000;
    const second = await store.claim(scope, key, "hash-c", 60);
    if (!second.claimed) throw new Error("not claimed");
    expect(await store.claim(scope, key, "hash-c", 60)).toEqual({
      claimed: false,
      record: { status: "in_progress", requestHash: "hash-c" },
    });
    await store.release(scope, key, second.lease);
    // Completing a released key does not bring it back.
    await store.complete(scope, key, second.lease, "late", 3600);
    expect(await store.claim(scope, key, "hash-d", 60)).toMatchObject({ claimed: true });
  });

  it("hands a claim whose lease ran out (its request died) to the next claim; the old claim can no longer complete or release it", async () => {
    const store = createDynamoIdempotencyStore({ ...kv, now: clock });
    const scope = `9:/file/v1/folder/create`;
    const key = randomUUID();
    const crashed = await store.claim(scope, key, "hash-a", 60);
    if (!crashed.claimed) throw new Error("not claimed");
    now += 59_000;
    expect(await store.claim(scope, key, "hash-a", 60)).toMatchObject({ claimed: false, record: { status: "in_progress" } });
    now += 2_000;
    const retry = await store.claim(scope, key, "hash-a", 60);
    if (!retry.claimed) throw new Error("not taken over");
    await store.complete(scope, key, crashed.lease, '{"late":true}', 3600);
    await store.release(scope, key, crashed.lease);
    expect(await store.claim(scope, key, "hash-a", 60)).toMatchObject({ claimed: false, record: { status: "in_progress" } });
    await store.complete(scope, key, retry.lease, '{"code":200}', 3600);
    expect(await store.claim(scope, key, "hash-a", 60)).toEqual({
      claimed: false,
      record: { status: "done", requestHash: "hash-a", response: '{"code":200}' },
    });
  });
});
