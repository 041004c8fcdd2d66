import { SignJWT, jwtVerify } from "jose";
import type { AccessTokens, ShareTokens } from "@polaris/core";

const issuer = "polaris";
const audience = "polaris-api";
/** A separate audience: a share token never passes as an access token, nor the other way round. */
const shareAudience = "polaris-share";

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

/** HS256 share tokens: `sub` is the share identity, `cv` the code version they were issued for. */
export function createShareTokens(secret: string, expireSeconds: number, now: () => Date = () => new Date()): ShareTokens {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(shareIdentity, codeVersion) {
      const iat = Math.floor(now().getTime() / 1000);
      const expiresAt = iat + expireSeconds;
      const shareToken = await new SignJWT({ cv: codeVersion })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(shareIdentity)
        .setIssuer(issuer)
        .setAudience(shareAudience)
        .setIssuedAt(iat)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { shareToken, expiresAt };
    },
    async verify(token, shareIdentity) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"], issuer, audience: shareAudience, subject: shareIdentity, currentDate: now(),
        });
        return Number.isSafeInteger(payload.cv) ? (payload.cv as number) : null;
      } catch {
        return null;
      }
    },
  };
}
