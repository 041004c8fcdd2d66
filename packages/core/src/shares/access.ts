import { timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import type { Db } from "../db/schema";
import { addressKey } from "../client-address";
import { fail } from "../errors";
import { assertUsable, sharerName } from "./shared";

/** What a visitor presents on the public endpoints. */
export interface ShareAccess {
  identity: string;
  code?: string;
  shareToken?: string;
  clientAddress: string;
}

export type OpenShare = Awaited<ReturnType<typeof openShare>>;

/** `opening`: the visitor is opening the share (validate), the one call a share with a view limit admits without a share token. */
export interface OpenOptions {
  opening?: boolean;
}

/**
 * Loads a share a visitor may use: it exists, is neither banned, cancelled nor past its time, its
 * file is still active, and the visitor holds its code or a current share token. The owner (a
 * signed-in caller of save) needs neither.
 */
export async function openShare(deps: CoreDeps, access: ShareAccess, viewerId?: number, options: OpenOptions = {}) {
  const share = await deps.db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.id",
      "s.identity",
      "s.user_id",
      "s.file_id",
      "s.code",
      "s.code_version",
      "s.status",
      "s.expired_at",
      "s.click_num",
      "s.view_limit",
      "s.download_num",
      "s.download_limit",
      "s.preview_only",
      "f.identity as file_identity",
      "f.name",
      "f.ext",
      "f.is_dir",
      "f.size",
      "f.mime_type",
      "f.created_at",
      "f.updated_at",
      "f.status as file_status",
      "u.name as sharer_name",
      "u.mobile as sharer_mobile",
      "u.disabled_at as sharer_disabled_at",
    ])
    .where("s.identity", "=", access.identity)
    .executeTakeFirst();
  if (!share) return fail("SHARE_NOT_FOUND");
  assertUsable(share, deps.clock.now());
  // A disabled account's shares close with it (403 200006) and open again when it is enabled.
  if (share.sharer_disabled_at) fail("SHARE_OWNER_DISABLED");
  if (share.file_status !== "active") fail("SHARED_FILE_GONE");
  if (viewerId !== share.user_id) await checkAccess(deps, share, access, options);
  const { sharer_mobile, file_identity, name, ext, is_dir, size, mime_type, created_at, updated_at } = share;
  return {
    id: share.id,
    identity: share.identity,
    user_id: share.user_id,
    file_id: share.file_id,
    code_version: share.code_version,
    expired_at: share.expired_at,
    click_num: share.click_num,
    view_limit: share.view_limit,
    download_num: share.download_num,
    download_limit: share.download_limit,
    preview_only: share.preview_only,
    sharer_name: sharerName(share.sharer_name, sharer_mobile),
    /** The shared item as a FileItem row; its parent lies outside the share and reads as the root. */
    root: { id: share.file_id, identity: file_identity, name, ext, is_dir, size, mime_type, created_at, updated_at, parent_identity: null },
  };
}

/**
 * The code check, throttled so the 31^4 code space cannot be searched, without letting strangers
 * deny a share to the people who hold its code. Each check first takes an attempt, atomically, from
 * three windows, so parallel guesses cannot overtake the counts; the right code gives them back
 * (wrong codes are what they count):
 * - the client address on this share (a few per quarter hour) and on all shares (a few dozen per
 *   hour): a guesser locks out its own address only, the right code included (else a refusal that
 *   only wrong codes get would tell the guesser which code is right);
 * - the share from everyone (a ceiling per hour): past it the share is under a search from many
 *   addresses, and each address gets one check per share window. Someone who holds the code still
 *   gets in at the first try from any address that has not been guessing.
 * The owner, and visitors with a current share token, are never counted. The share's keys carry its
 * code version: a new code starts afresh.
 */
async function checkAccess(
  deps: CoreDeps,
  share: { identity: string; code: string | null; code_version: number; view_limit: number | null },
  access: ShareAccess,
  options: OpenOptions,
) {
  if (access.shareToken) {
    const version = await deps.shareTokens.verify(access.shareToken, share.identity);
    if (version !== share.code_version) fail("UNAUTHORIZED", "share token invalid or expired; validate the share again");
    return;
  }
  // Views are counted where the share is opened; without this, a link without a code could be browsed uncounted.
  if (share.view_limit !== null && !options.opening) fail("UNAUTHORIZED", "this share counts its views: open it with validate first");
  if (!share.code) return;
  if (!access.code) fail("WRONG_SHARE_CODE", "this share needs its extraction code");
  const limits = deps.settings.shares;
  const { rateLimiter } = deps;
  const client = addressKey(access.clientAddress);
  const shareKey = `share-code:${share.identity}:${share.code_version}`;
  const everywhere = `share-code:addr:${client}`;
  const here = `${shareKey}:addr:${client}`;
  const [everywhereTaken, hereTaken] = await Promise.all([
    rateLimiter.take(everywhere, limits.maxWrongCodesPerAddressTotal, limits.shareWindowSeconds),
    rateLimiter.take(here, limits.maxWrongCodesPerAddress, limits.addressWindowSeconds),
  ]);
  const taken = [...(everywhereTaken ? [everywhere] : []), ...(hereTaken ? [here] : [])];
  const giveBack = () => Promise.all(taken.map((key) => rateLimiter.giveBack(key)));
  // Only then the share's ceiling, so one address's refused burst cannot fill it.
  if (everywhereTaken && hereTaken) {
    if (await rateLimiter.take(shareKey, limits.maxWrongCodesPerShare, limits.shareWindowSeconds)) taken.push(shareKey);
    else {
      const searched = `${shareKey}:searched:addr:${client}`;
      if (await rateLimiter.take(searched, 1, limits.shareWindowSeconds)) taken.push(searched);
    }
  }
  if (taken.length < 3) {
    // A refused request checks nothing, so it must not use up any window.
    await giveBack();
    fail("TOO_MANY_REQUESTS", "too many wrong codes, try again later");
  }
  if (!sameCode(access.code!, share.code)) fail("WRONG_SHARE_CODE");
  await giveBack();
}

const sameCode = (given: string, code: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(code);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Ids of the items with these identities that lie inside the share (the shared item itself or below
 * it), walking up from each in one recursive query. Anything else (a sibling, a parent, another
 * user's item, a guess) fails exactly like a missing item.
 */
export async function itemsInShare(db: Db, share: Pick<OpenShare, "user_id" | "file_id">, identities: string[], isDir?: boolean) {
  const unique = [...new Set(identities)];
  const rows = await sql<{ start: number }>`
    with recursive up(start, id, parent_id) as (
      select id, id, parent_id from files
      where identity = any(${unique}::uuid[]) and user_id = ${share.user_id} and status = 'active'
        ${isDir === undefined ? sql`` : sql`and is_dir = ${isDir}`}
      union all
      select up.start, f.id, f.parent_id from files f join up on f.id = up.parent_id where up.id <> ${share.file_id}
    ) select distinct start from up where id = ${share.file_id}`.execute(db);
  if (rows.rows.length !== unique.length) fail("FILE_NOT_FOUND", "no such item in this share");
  return rows.rows.map((r) => Number(r.start));
}
