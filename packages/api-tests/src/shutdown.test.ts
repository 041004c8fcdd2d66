import { request } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serveGateway } from "@polaris/local/gateway";
import { Users } from "@polaris/core";
import { nextMobile, startTestApp } from "./support";

afterEach(() => vi.restoreAllMocks());

/** Sign-ups that take a password derivation at the product's default cost: long enough to be in flight. */
const slowSignUps = { PASSWORD_HASH_COST: String(Users.DEFAULT_PASSWORD_HASH_COST) };

describe("closing the server", () => {
  it("answers the requests in flight before it closes their dependencies", async () => {
    // The default password cost (the test apps' lower one makes a sign-up too quick to still be in flight).
    const app = await startTestApp(slowSignUps);
    const errors = vi.spyOn(console, "error");
    // Sign-ups wait for a password derivation (one per core at a time), then write to the database.
    const signUps = Array.from({ length: 8 }, () =>
      app.call("POST", "/usercenter/v1/user/register", { body: { mobile: nextMobile(), password: "correct-horse" } }),
    );
    // Once one is answered the others have long been received: they are in flight.
    await Promise.race(signUps);
    await app.close();
    const answers = await Promise.allSettled(signUps);
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value.status : String(a.reason)))).toEqual(Array(8).fill(200));
    expect(errors).not.toHaveBeenCalled();
  });

  it("lets the requests of clients that hung up finish before it closes their dependencies", async () => {
    const app = await startTestApp(slowSignUps);
    const unhandled = vi.spyOn(app.deps.logger, "error");
    const finished = vi.spyOn(app.deps.logger, "info");
    const hangUp = new AbortController();
    const signUps = Array.from({ length: 8 }, () =>
      fetch(`${app.url}/usercenter/v1/user/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ mobile: nextMobile(), password: "correct-horse" }),
        signal: hangUp.signal,
      }),
    );
    // The first answer means the rest are being handled; their clients leave, as a load generator does at its end.
    await Promise.race(signUps);
    hangUp.abort();
    await Promise.allSettled(signUps);
    await app.close();
    // Every handler had returned (each logs its request line last) and none failed.
    expect(finished.mock.calls.filter(([message]) => message === "request")).toHaveLength(8);
    expect(unhandled).not.toHaveBeenCalled();
  });

  it("drops a request still unanswered after the drain time", async () => {
    let received!: () => void;
    const reached = new Promise<void>((resolve) => (received = resolve));
    const gateway = await serveGateway(
      0,
      "127.0.0.1",
      () => {
        received();
        return new Promise<boolean>(() => undefined);
      },
      { drainMs: 100 },
    );
    const answer = new Promise<unknown>((resolve) => request(`${gateway.url}/never`, resolve).on("error", resolve).end());
    await reached;
    // Without the drop, close would wait for ever (the test would time out).
    await gateway.close();
    expect(await answer).toMatchObject({ code: "ECONNRESET" });
  });
});
