import { randomUUID } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import type { AccessClaims, AccessTokens, ShareTokens } from "@polaris/core";

const issuer = "polaris";
const audience = "polaris-api";
/** A separate audience: a share token never passes as an access token, nor the other way round. */
const shareAudience = "polaris-share";

const VERIFIED_TOKENS_KEPT = 10_000;

/** The secret imported once: given raw bytes, jose imports them again on every sign and verify (a CPU profile's top cost). */
const hmacKey = (secret: string) =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);

/**
 * HS256 access tokens: `sub` is the user id, `tv` the user's token version at issue (tokens from before
 * versions read as 0), `jti` the token's own id (what signing out one token revokes). Verification pins
 * the algorithm, so `alg:none` never passes, and requires `exp`: a token signed without one (jose
 * accepts it by default) would never expire. Revocation is not checked here but by the HTTP stack.
 */
export function createAccessTokens(secret: string, expireSeconds: number, now: () => Date = () => new Date()): AccessTokens {
  const key = hmacKey(secret);
  const issue: AccessTokens["issue"] = async (userId, tokenVersion = 0) => {
    const iat = Math.floor(now().getTime() / 1000);
    const accessExpire = iat + expireSeconds;
    const accessToken = await new SignJWT({ tv: tokenVersion })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(String(userId))
      .setIssuer(issuer)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(accessExpire)
      .sign(await key);
    return { accessToken, accessExpire, refreshAfter: iat + Math.floor(expireSeconds / 2) };
  };
  // A token's signature and claims never change: once verified, only its expiry needs checking again
  // (WebCrypto's HMAC verify was a fifth of a request's CPU). Bounded, oldest entries go first.
  const verified = new Map<string, AccessClaims>();
  const inspect = async (token: string): Promise<AccessClaims | null> => {
    const nowSeconds = now().getTime() / 1000;
    const known = verified.get(token);
    if (known) return known.exp > nowSeconds ? known : null;
    try {
      const { payload } = await jwtVerify(token, await key, {
        algorithms: ["HS256"],
        issuer,
        audience,
        requiredClaims: ["exp", "sub"],
        currentDate: now(),
      });
      const userId = Number(payload.sub);
      if (!Number.isSafeInteger(userId) || userId <= 0) return null;
      const tokenVersion = payload.tv === undefined ? 0 : payload.tv;
      if (!Number.isSafeInteger(tokenVersion)) return null;
      const claims: AccessClaims = {
        userId,
        tokenVersion: tokenVersion as number,
        exp: payload.exp!,
        ...(payload.jti ? { jti: payload.jti } : {}),
      };
      if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    } catch {
      return null;
    }
  };
  /** Returns the user id, or null for any token that is not ours and current. */
  const verify = async (token: string) => (await inspect(token))?.userId ?? null;
  return { issue, verify, inspect };
}

/** HS256 share tokens: `sub` is the share identity, `cv` the code version they were issued for. */
export function createShareTokens(secret: string, expireSeconds: number, now: () => Date = () => new Date()): ShareTokens {
  const key = hmacKey(secret);
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
        .sign(await key);
      return { shareToken, expiresAt };
    },
    async verify(token, shareIdentity) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ["HS256"],
          issuer,
          audience: shareAudience,
          subject: shareIdentity,
          requiredClaims: ["exp"],
          currentDate: now(),
        });
        return Number.isSafeInteger(payload.cv) ? (payload.cv as number) : null;
      } catch {
        return null;
      }
    },
  };
}
