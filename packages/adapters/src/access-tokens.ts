import { SignJWT, jwtVerify } from "jose";
import type { AccessTokens } from "@polaris/core";

const issuer = "polaris";
const audience = "polaris-api";

/** HS256 access tokens: `sub` is the user id. Verification pins the algorithm, so `alg:none` never passes. */
export function createAccessTokens(secret: string, expireSeconds: number, now: () => Date = () => new Date()) {
  const key = new TextEncoder().encode(secret);
  const issue: AccessTokens["issue"] = async (userId) => {
    const iat = Math.floor(now().getTime() / 1000);
    const accessExpire = iat + expireSeconds;
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(String(userId))
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(accessExpire)
      .sign(key);
    return { accessToken, accessExpire, refreshAfter: iat + Math.floor(expireSeconds / 2) };
  };
  /** Returns the user id, or null for any token that is not ours and current. */
  const verify = async (token: string): Promise<number | null> => {
    try {
      const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], issuer, audience, currentDate: now() });
      const userId = Number(payload.sub);
      return Number.isSafeInteger(userId) && userId > 0 ? userId : null;
    } catch {
      return null;
    }
  };
  return { issue, verify };
}
export type AccessTokenService = ReturnType<typeof createAccessTokens>;
