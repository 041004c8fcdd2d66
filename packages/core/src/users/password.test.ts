import { describe, expect, it } from "vitest";
import { DECOY_HASH, hashPassword, verifyPassword } from "./password";

const parameters = (stored: string) => stored.split("$").slice(0, 4).join("$");

describe("password hashing", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
  });

  it("keeps the decoy an unknown mobile is checked against at today's parameters, so it costs what a real check costs", async () => {
    expect(parameters(DECOY_HASH)).toBe(parameters(await hashPassword("any")));
    expect(await verifyPassword("decoy-password", DECOY_HASH)).toBe(true);
  });
});
