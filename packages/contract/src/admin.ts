import * as z from "zod/mini";
import { defineRoute, identity, page, pageSize, plainText, unixSeconds } from "./route";
import { shareStatus } from "./shares";
import { mobile } from "./users";

export const adminUser = z.object({
  id: z.int(),
  mobile: z.string(),
  name: z.string(),
  role: z.enum(["user", "admin"]),
  disabled: z.boolean(),
  totalSize: z.int().check(z.describe("quota (bytes)")),
  usedSize: z.int(),
  reservedSize: z.int().check(z.describe("held by uploads in progress")),
  items: z.int().check(z.describe("active files and folders in the drive (the recycle bin apart)")),
  createTime: unixSeconds,
  lastLoginTime: unixSeconds.check(z.describe("0: never logged in since registering")),
});
export type AdminUser = z.infer<typeof adminUser>;

export const adminShare = z.object({
  identity: z.string(),
  fileName: z.string(),
  isDir: z.boolean(),
  ownerMobile: z.string(),
  ownerName: z.string(),
  ownerDisabled: z.boolean(),
  hasCode: z.boolean(),
  clickNum: z.int(),
  saveNum: z.int(),
  status: shareStatus,
  expiredTime: unixSeconds.check(z.describe("0: never")),
  createTime: unixSeconds,
});
export type AdminShare = z.infer<typeof adminShare>;

export const uploadDay = z.object({
  day: z.string().check(z.describe("UTC day, YYYY-MM-DD")),
  instant: z.int().check(z.describe("uploads completed instantly (known content, proof of possession)")),
  completed: z.int().check(z.describe("all completed uploads: instant ones and those that sent their bytes")),
  rate: z.number().check(z.describe("instant ÷ completed; 0 on a day without uploads")),
});

export const auditEntry = z.object({
  id: z.int(),
  actorMobile: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.string(),
  time: unixSeconds,
});

const keyword = z.optional(plainText(z.string().check(z.trim(), z.maxLength(64, "must be at most 64 characters"))));
const userRef = { mobile };
const userResult = z.object({ user: adminUser });

const area = "Administration";
/** Every route here is for administrators only: anyone else signed in gets 404, as for a route that does not exist. */
const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "tag" | "auth" | "role">,
) => defineRoute<B, Q, D>({ ...def, tag: area, auth: "jwt", role: "admin" });

export const adminRoutes = {
  users: route({
    method: "GET",
    path: "/admin/v1/users",
    handler: "functions/http/admin/users.ts",
    summary: "Users, newest first; `keyword` matches the mobile or the name (case-insensitive infix)",
    query: z.object({ keyword, page, pageSize }),
    data: z.object({ list: z.array(adminUser), total: z.int(), page: z.int(), pageSize: z.int() }),
  }),
  setQuota: route({
    method: "POST",
    path: "/admin/v1/user/quota",
    handler: "functions/http/admin/user-quota.ts",
    summary:
      "Set a user's quota; below what they use and hold (used + reserved) only with `force` (they can then upload nothing until they free space)",
    body: z.object({
      ...userRef,
      totalSize: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER), z.describe("bytes")),
      force: z.optional(z.boolean()),
    }),
    data: userResult,
    errors: ["USER_NOT_FOUND", "QUOTA_BELOW_USAGE"],
  }),
  setDisabled: route({
    method: "POST",
    path: "/admin/v1/user/disable",
    handler: "functions/http/admin/user-disable.ts",
    summary:
      "Disable (or enable) a user: their tokens answer 401 200005 and their shares 403 200006 (within AUTH_CACHE_SECONDS); their files stay",
    body: z.object({ ...userRef, disabled: z._default(z.boolean(), true) }),
    data: userResult,
    errors: ["USER_NOT_FOUND", "ADMIN_SELF"],
  }),
  setRole: route({
    method: "POST",
    path: "/admin/v1/user/role",
    handler: "functions/http/admin/user-role.ts",
    summary: "Make a user an administrator, or a user again",
    body: z.object({ ...userRef, role: z.enum(["user", "admin"]) }),
    data: userResult,
    errors: ["USER_NOT_FOUND", "ADMIN_SELF"],
  }),
  passwordReset: route({
    method: "POST",
    path: "/admin/v1/user/password-reset",
    handler: "functions/http/admin/user-password-reset.ts",
    summary:
      "Reset a user's password to a new random one, shown once in this answer and stored only hashed; every token of the user is signed out",
    body: z.object(userRef),
    data: z.object({ mobile: z.string(), password: z.string().check(z.describe("the one-time password to hand to the user")) }),
    errors: ["USER_NOT_FOUND", "ADMIN_SELF"],
  }),
  shares: route({
    method: "GET",
    path: "/admin/v1/shares",
    handler: "functions/http/admin/shares.ts",
    summary: "Every user's shares, newest first, with owner and counters; `keyword` matches the file name or the owner's mobile",
    query: z.object({ keyword, status: z.optional(z.pipe(z.coerce.number(), shareStatus)), page, pageSize }),
    data: z.object({ list: z.array(adminShare), total: z.int(), page: z.int(), pageSize: z.int() }),
  }),
  shareBan: route({
    method: "POST",
    path: "/admin/v1/share/ban",
    handler: "functions/http/admin/share-ban.ts",
    summary:
      "Ban a share (visitors then get 403 400005 on validate, detail, download and save) or lift the ban (back to normal; a share past its time stays expired). A cancelled share stays cancelled",
    body: z.object({ identity, banned: z.boolean() }),
    data: z.object({ share: adminShare }),
    errors: ["SHARE_NOT_FOUND"],
  }),
  stats: route({
    method: "GET",
    path: "/admin/v1/stats",
    handler: "functions/http/admin/stats.ts",
    summary:
      "System figures: users, files, stored and logical bytes, the deduplication ratio, and the instant-upload rate per UTC day over 30 days",
    data: z.object({
      users: z.int(),
      disabledUsers: z.int(),
      admins: z.int(),
      files: z.int().check(z.describe("files in drives and recycle bins (folders apart)")),
      blobs: z.int().check(z.describe("distinct contents stored")),
      storedBytes: z.int().check(z.describe("bytes in storage: each content once")),
      logicalBytes: z.int().check(z.describe("bytes the files add up to, each copy counted")),
      dedupRatio: z.number().check(z.describe("logicalBytes ÷ storedBytes (1 with nothing stored)")),
      shares: z.int(),
      bannedShares: z.int(),
      instantRate: z.number().check(z.describe("instant ÷ completed uploads over the 30 days")),
      uploadDays: z.array(uploadDay).check(z.describe("the last 30 UTC days, oldest first, today last")),
    }),
  }),
  audit: route({
    method: "GET",
    path: "/admin/v1/audit",
    handler: "functions/http/admin/audit.ts",
    summary: "Every administrator action, newest first: who, what, on whom or what, when",
    query: z.object({ page, pageSize }),
    data: z.object({ list: z.array(auditEntry), total: z.int(), page: z.int(), pageSize: z.int() }),
  }),
};
