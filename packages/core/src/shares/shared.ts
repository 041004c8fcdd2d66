import { randomInt } from "node:crypto";
import { SHARE_CODE_ALPHABET, SHARE_CODE_LENGTH, type ShareItem } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import type { Db, ShareRow } from "../db/schema";
import { fail } from "../errors";
import { toUnixSeconds } from "../time";

/** A fresh extraction code from a CSPRNG. */
export const generateCode = () =>
  Array.from({ length: SHARE_CODE_LENGTH }, () => SHARE_CODE_ALPHABET[randomInt(SHARE_CODE_ALPHABET.length)]).join("");

/** When a share made (or updated) now with this expiredType ends; null = never. */
const expiryFrom = (now: Date, expiredType: 0 | 1 | 7 | 30) =>
  expiredType === 0 ? null : new Date(now.getTime() + expiredType * 86_400_000);

/**
 * The expiry a create or update asks for: `expiredType` days from now (0: never), or the date
 * `expireAt` (type -1), which must lie ahead; undefined when neither is given.
 */
export function requestedExpiry(now: Date, input: { expiredType?: 0 | 1 | 7 | 30; expireAt?: number }) {
  if (input.expireAt !== undefined) {
    const at = new Date(input.expireAt * 1000);
    if (at.getTime() <= now.getTime()) fail("INVALID_PARAMETER", "参数错误: expireAt must be in the future");
    return { expired_type: -1 as const, expired_at: at };
  }
  if (input.expiredType === undefined) return undefined;
  return { expired_type: input.expiredType, expired_at: expiryFrom(now, input.expiredType) };
}

/** The sharer as a link shows them: accounts are named after their mobile number by default, and a link must not publish it. */
export const sharerName = (name: string, mobile: string) => (name === mobile ? `${mobile.slice(0, 3)}****${mobile.slice(-4)}` : name);

export const isPast = (expiredAt: Date | null, now: Date) => expiredAt !== null && expiredAt.getTime() <= now.getTime();

/** One expiry job per share: scheduling again moves it, a share that never expires has none. */
export async function scheduleExpiry(deps: CoreDeps, shareIdentity: string, expiredAt: Date | null) {
  const name = `share-expire-${shareIdentity}`;
  if (expiredAt) await deps.scheduler.schedule({ name, type: "share.expire", payload: { shareIdentity }, runAt: expiredAt });
  else await deps.scheduler.cancel(name);
}

/** Refuses a share that cannot be used: banned, cancelled, or past its time even before the expiry job ran. */
export function assertUsable(share: Pick<ShareRow, "status" | "expired_at">, now: Date) {
  if (share.status === 1) fail("SHARE_BANNED");
  if (share.status === 2) fail("SHARE_CANCELLED");
  if (share.status === 3 || isPast(share.expired_at, now)) fail("SHARE_EXPIRED");
}

/** The caller's shares, locked for update; someone else's share is as missing as one nobody has (404). */
export async function ownedShares(db: Db, userId: number, identities: string[]) {
  const unique = [...new Set(identities)];
  const rows = await db
    .selectFrom("shares")
    .selectAll()
    .where("identity", "in", unique)
    .where("user_id", "=", userId)
    .forUpdate()
    .execute();
  if (rows.length !== unique.length) fail("SHARE_NOT_FOUND");
  return rows;
}

/** Shares with the columns of a ShareItem. */
export const shareItemQuery = (db: Db) =>
  db
    .selectFrom("shares as s")
    .innerJoin("files as f", "f.id", "s.file_id")
    .select([
      "s.id",
      "s.identity",
      "s.code",
      "s.expired_at",
      "s.click_num",
      "s.save_num",
      "s.download_num",
      "s.download_limit",
      "s.view_limit",
      "s.preview_only",
      "s.status",
      "s.created_at",
      "f.identity as file_identity",
      "f.name as file_name",
      "f.is_dir",
    ]);

type ShareItemRow = Pick<
  ShareRow,
  | "identity"
  | "code"
  | "expired_at"
  | "click_num"
  | "save_num"
  | "status"
  | "created_at"
  | "download_num"
  | "download_limit"
  | "view_limit"
  | "preview_only"
> & {
  file_identity: string;
  file_name: string;
  is_dir: boolean;
};

/** A share past its time shows as expired at once, whether or not the expiry job ran. */
export const toShareItem = (row: ShareItemRow, now: Date): ShareItem => ({
  identity: row.identity,
  fileIdentity: row.file_identity,
  fileName: row.file_name,
  isDir: row.is_dir,
  code: row.code ?? "",
  expiredTime: row.expired_at ? toUnixSeconds(row.expired_at) : 0,
  clickNum: row.click_num,
  saveNum: row.save_num,
  downloadNum: row.download_num,
  downloadLimit: row.download_limit,
  viewLimit: row.view_limit,
  previewOnly: row.preview_only,
  status: row.status === 0 && isPast(row.expired_at, now) ? 3 : row.status,
  createTime: toUnixSeconds(row.created_at),
});
