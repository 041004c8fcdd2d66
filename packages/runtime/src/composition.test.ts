import { afterEach, describe, expect, it } from "vitest";
import { createDeps, type AppDeps } from "./composition";

let deps: AppDeps | undefined;
afterEach(() => deps?.close());

describe("AWS credentials from the environment", () => {
  // Lambda gives a function its role's temporary credentials as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
  // and AWS_SESSION_TOKEN; a request signed without the token is refused ("security token invalid").
  it("signs with the session token when one is set (a browser's presigned URL carries it)", async () => {
    deps = await createDeps({
      PGLITE_DIR: "memory",
      MIGRATE_ON_START: "false",
      POLARIS_HOME: "/tmp/polaris-composition-test",
      JWT_SECRET: "x".repeat(32),
      AWS_ACCESS_KEY_ID: "ASIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "session-token-of-the-role",
    });
    const url = new URL(await deps.storage.presignGet("objects/a", { fileName: "a.txt", contentType: "text/plain", expiresInSeconds: 60 }));
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^ASIAEXAMPLE\//);
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("session-token-of-the-role");
  });

  it("signs with long-term keys alone when no session token is set", async () => {
    deps = await createDeps({
      PGLITE_DIR: "memory",
      MIGRATE_ON_START: "false",
      POLARIS_HOME: "/tmp/polaris-composition-test",
      JWT_SECRET: "x".repeat(32),
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
    });
    const url = new URL(await deps.storage.presignGet("objects/a", { fileName: "a.txt", contentType: "text/plain", expiresInSeconds: 60 }));
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIAEXAMPLE\//);
    expect(url.searchParams.has("X-Amz-Security-Token")).toBe(false);
  });
});
