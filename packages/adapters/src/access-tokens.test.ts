import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createAccessTokens, createShareTokens } from "./access-tokens";

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

  it("refuses a token without exp, even signed with the right key and otherwise right claims", async () => {
    const secret = "a-secret-of-at-least-32-characters!!";
    const forever = (audience: string, subject: string) =>
      new SignJWT({ cv: 1 })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer("polaris")
        .setAudience(audience)
        .setSubject(subject)
        .setIssuedAt()
        .sign(new TextEncoder().encode(secret));
    expect(await createAccessTokens(secret, 60).verify(await forever("polaris-api", "7"))).toBeNull();
    expect(await createShareTokens(secret, 60).verify(await forever("polaris-share", "abc"), "abc")).toBeNull();
  });
});
