import { describe, expect, it } from "vitest";
import { createAccessTokens } from "./access-tokens";

describe("access tokens", () => {
  it("keeps passing a verified token only until it expires, and never a tampered one", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const tokens = createAccessTokens("a-secret-of-at-least-32-characters!!", 60, () => now);
    const { accessToken } = await tokens.issue(7);
    expect(await tokens.verify(accessToken)).toBe(7);
    expect(await tokens.verify(accessToken)).toBe(7);
    const [h, p, s] = accessToken.split(".");
    expect(await tokens.verify(`${h}.${p}.${s.slice(0, -2)}AA`)).toBeNull();
    expect(await createAccessTokens("another-secret-of-at-least-32-chars!", 60, () => now).verify(accessToken)).toBeNull();
    now = new Date(now.getTime() + 61_000);
    expect(await tokens.verify(accessToken)).toBeNull();
  });
});
