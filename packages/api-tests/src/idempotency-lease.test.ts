import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileRoutes } from "@polaris/contract";
import { idempotencyScope, requestHash } from "@polaris/runtime";
import { listNames, startTestApp, type TestApp } from "./support";

/**
 * A request cut off by a crash leaves its Idempotency-Key claimed. The claim holds for a lease (short
 * here, 60 s by default), after which the client's retry takes the key over and runs.
 */
const LEASE_SECONDS = 3;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) });
});
afterAll(() => app?.close());

// Past the lease, with a second to spare for stores that keep time in whole seconds (DynamoDB).
const pastLease = () => sleep((LEASE_SECONDS + 1.2) * 1000);

describe("an Idempotency-Key whose request died", () => {
  it("answers 409 during the lease, then the retry runs once and is replayed; the dead request's late answer changes nothing", async () => {
    const { token } = await app.signUp();
    const userId = (await app.deps.tokens.verify(token))!;
    const path = fileRoutes.createFolder.path;
    const body = { name: "after-crash" };
    const key = randomUUID();
    const scope = idempotencyScope(userId, path);
    // What the HTTP stack does before the use case runs; the crash comes right after.
    const crashed = await app.deps.idempotency.claim(
      scope,
      key,
      requestHash(fileRoutes.createFolder.body!.parse(body), undefined),
      LEASE_SECONDS,
    );
    if (!crashed.claimed) throw new Error("the key was not free");
    const retry = () => app.call("POST", path, { token, body, headers: { "idempotency-key": key } });

    expect(await retry()).toMatchObject({
      status: 409,
      body: { code: 100008, msg: "a request with this Idempotency-Key is still in progress" },
    });
    expect(await listNames(app, token)).toEqual([]);

    await pastLease();
    const ran = await retry();
    expect(ran).toMatchObject({ status: 200, body: { code: 200, data: { file: { name: "after-crash" } } } });
    expect(await retry()).toEqual(ran);

    // Had the first request been alive after all, its answer must not replace the one its retry gave.
    await app.deps.idempotency.complete(scope, key, crashed.lease, JSON.stringify({ statusCode: 200, body: '{"late":true}' }), 3600);
    await app.deps.idempotency.release(scope, key, crashed.lease);
    expect(await retry()).toEqual(ran);

    // A finished answer is kept for the TTL, not the lease: a later retry is replayed, not run again.
    await pastLease();
    expect(await retry()).toEqual(ran);
    expect(await listNames(app, token)).toEqual(["after-crash"]);
  });
});
