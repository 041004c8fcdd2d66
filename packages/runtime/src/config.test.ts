import { describe, expect, it } from "vitest";
import { loadConfig } from "./config";

describe("configuration", () => {
  it("derives PUBLIC_URL from PORT when unset, and drops a trailing slash when set", () => {
    expect(loadConfig({}).PUBLIC_URL).toBe("http://127.0.0.1:8888");
    expect(loadConfig({ PORT: "9000" }).PUBLIC_URL).toBe("http://127.0.0.1:9000");
    expect(loadConfig({ PORT: "9000", PUBLIC_URL: "https://drive.example.com/" }).PUBLIC_URL).toBe("https://drive.example.com");
  });

  it("trusts a store's checksums only on AWS unless told otherwise", () => {
    expect(loadConfig({}).S3_TRUST_CHECKSUMS).toBe(true);
    expect(loadConfig({ AWS_ENDPOINT_URL: "http://127.0.0.1:14566" }).S3_TRUST_CHECKSUMS).toBe(false);
    expect(loadConfig({ S3_ENDPOINT: "http://127.0.0.1:3900" }).S3_TRUST_CHECKSUMS).toBe(false);
    expect(loadConfig({ S3_ENDPOINT: "http://127.0.0.1:3900", S3_TRUST_CHECKSUMS: "true" }).S3_TRUST_CHECKSUMS).toBe(true);
  });

  it("names the setting that is wrong", () => {
    expect(() => loadConfig({ PORT: "99999" })).toThrow(/PORT/);
  });
});
