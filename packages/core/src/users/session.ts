import type { CoreDeps } from "../deps";
import type { Db, UserRole } from "../db/schema";
import { fail } from "../errors";
import type { AccessClaims } from "../ports";

/** What the HTTP stack needs to know about a token's account beyond its signature. */
interface AccountState {
  exists: boolean;
  tokenVersion: number;
  role: UserRole;
  disabled: boolean;
  /** This very token was signed out (its `jti` is in revoked_tokens). */
  revoked: boolean;
}

const ENTRIES_KEPT = 10_000;

/**
 * A per-process cache of account states by token, each kept `ttlMs`: a warm function checks a token's
 * revocation, its user's token version and the disabled flag at most once per `ttlMs`. A change made
 * by this process (sign-out, password change, disable, role) drops the user's entries at once; one
 * made elsewhere (another Lambda container) is seen within `ttlMs`: that is the revocation bound.
 */
export function createStateCache(ttlMs: number, now: () => number) {
  const entries = new Map<string, { at: number; userId: number; state: Promise<AccountState> }>();
  return {
    get(key: string, userId: number, load: () => Promise<AccountState>) {
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.state;
      entries.delete(key);
      const state = load();
      if (ttlMs > 0) {
        if (entries.size >= ENTRIES_KEPT) entries.delete(entries.keys().next().value!);
        entries.set(key, { at: now(), userId, state });
        state.catch(() => entries.delete(key));
      }
      return state;
    },
    drop(userId: number) {
      for (const [key, entry] of entries) if (entry.userId === userId) entries.delete(key);
    },
  };
}

// One cache per database (each test app has its own), created at first use.
const caches = new WeakMap<Db, ReturnType<typeof createStateCache>>();
const cacheOf = (deps: CoreDeps) => {
  let cache = caches.get(deps.db);
  if (!cache)
    caches.set(deps.db, (cache = createStateCache(deps.settings.accounts.authCacheSeconds * 1000, () => deps.clock.now().getTime())));
  return cache;
};

async function loadState(db: Db, claims: AccessClaims): Promise<AccountState> {
  const row = await db
    .selectFrom("users as u")
    .select(["u.token_version", "u.role", "u.disabled_at"])
    .$if(claims.jti !== undefined, (q) =>
      q.select((eb) => eb.exists(eb.selectFrom("revoked_tokens").select("jti").where("jti", "=", claims.jti!)).as("revoked")),
    )
    .where("u.id", "=", claims.userId)
    .executeTakeFirst();
  if (!row) return { exists: false, tokenVersion: 0, role: "user", disabled: false, revoked: false };
  return {
    exists: true,
    tokenVersion: row.token_version,
    role: row.role,
    disabled: row.disabled_at !== null,
    revoked: Boolean((row as { revoked?: unknown }).revoked),
  };
}

/**
 * A signature proves who a token was issued to, not that it still stands: the account must exist and
 * be enabled, the token must carry the user's current token version and must not have been signed out.
 * Refusals: 401 100003 (missing account, revoked token), 401 200005 (disabled account).
 */
export async function authenticate(deps: CoreDeps, claims: AccessClaims): Promise<{ userId: number; role: UserRole }> {
  const state = await cacheOf(deps).get(`${claims.userId}:${claims.jti ?? ""}`, claims.userId, () => loadState(deps.db, claims));
  if (!state.exists) return fail("UNAUTHORIZED");
  if (state.disabled) return fail("ACCOUNT_DISABLED");
  if (state.revoked || state.tokenVersion !== claims.tokenVersion) return fail("UNAUTHORIZED", "token revoked: sign in again");
  return { userId: claims.userId, role: state.role };
}

/** After a change to the user's tokens, role or state has committed: this process sees it at once. */
export const forgetSessions = (deps: CoreDeps, userId: number) => cacheOf(deps).drop(userId);
