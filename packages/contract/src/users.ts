import * as z from "zod/mini";
import { defineRoute, plainText, unixSeconds } from "./route";

export const mobile = z.string().check(z.regex(/^1\d{10}$/, "must be 11 digits starting with 1"));
export const password = z.string().check(z.minLength(6, "must be at least 6 characters"), z.maxLength(72, "must be at most 72 characters"));

export const tokenPair = z.object({
  accessToken: z.string(),
  accessExpire: unixSeconds.check(z.describe("when the access token expires (Unix seconds)")),
  refreshAfter: unixSeconds.check(z.describe("when the client should log in again to refresh (Unix seconds)")),
});

export const userInfo = z.object({
  id: z.int(),
  mobile: z.string(),
  name: z.string(),
  avatar: z.string().check(z.describe('a presigned URL of the avatar image, "" when none is set')),
  avatarIdentity: z.string().check(z.describe('the drive file the avatar shows, "" when none')),
  info: z.string(),
  role: z.enum(["user", "admin"]),
  createTime: unixSeconds,
});

export const displayName = plainText(z.string().check(z.trim(), z.minLength(1), z.maxLength(32, "must be at most 32 characters")));

export const quota = z.object({
  totalSize: z.int(),
  usedSize: z.int(),
  reservedSize: z.int(),
});

const area = "Users";

export const userRoutes = {
  register: defineRoute({
    method: "POST",
    path: "/usercenter/v1/user/register",
    handler: "functions/http/user/register.ts",
    auth: "none",
    tag: area,
    summary: "Register with a mobile number and password",
    body: z.object({
      mobile,
      password,
      name: z.optional(displayName),
    }),
    data: tokenPair,
    errors: ["MOBILE_TAKEN"],
  }),
  login: defineRoute({
    method: "POST",
    path: "/usercenter/v1/user/login",
    handler: "functions/http/user/login.ts",
    auth: "none",
    tag: area,
    summary: "Log in; failed attempts are throttled per mobile and per client address",
    body: z.object({ mobile, password: z.string().check(z.minLength(1), z.maxLength(72)) }),
    data: tokenPair,
    errors: ["WRONG_CREDENTIALS", "TOO_MANY_REQUESTS"],
  }),
  info: defineRoute({
    method: "GET",
    path: "/usercenter/v1/user/info",
    handler: "functions/http/user/info.ts",
    auth: "jwt",
    tag: area,
    summary: "The signed-in user's profile (also as `user`, where Polaris-IO's clients read it)",
    data: z.object({ userInfo, user: userInfo }),
    errors: ["USER_NOT_FOUND"],
  }),
  quota: defineRoute({
    method: "GET",
    path: "/usercenter/v1/user/quota",
    handler: "functions/http/user/quota.ts",
    auth: "jwt",
    tag: area,
    summary: "Storage quota: total, used and reserved by uploads in progress (bytes)",
    data: z.extend(quota, {
      quota: z
        .object({ totalSize: z.int(), usedSize: z.int() })
        .check(z.describe("the same two figures, where Polaris-IO's clients read them")),
    }),
    errors: ["USER_NOT_FOUND"],
  }),
  changePassword: defineRoute({
    method: "POST",
    path: "/usercenter/v1/user/password",
    handler: "functions/http/user/password.ts",
    auth: "jwt",
    tag: area,
    summary:
      "Change the password (the current one is checked under the login throttle); every other token of the user is signed out, the answer is a new token",
    body: z.object({ oldPassword: z.string().check(z.minLength(1), z.maxLength(72)), newPassword: password }),
    data: tokenPair,
    errors: ["WRONG_PASSWORD", "TOO_MANY_REQUESTS", "USER_NOT_FOUND"],
  }),
  logout: defineRoute({
    method: "POST",
    path: "/usercenter/v1/user/logout",
    handler: "functions/http/user/logout.ts",
    auth: "jwt",
    tag: area,
    summary:
      "Sign out this token, or every token of the user (`all`). Other processes see it within AUTH_CACHE_SECONDS; the one that answered, at once",
    body: z.object({ all: z.optional(z.boolean()) }),
    data: z.object({ all: z.boolean().check(z.describe("whether every token of the user was signed out")) }),
  }),
  profile: defineRoute({
    method: "POST",
    path: "/usercenter/v1/user/profile",
    handler: "functions/http/user/profile.ts",
    auth: "jwt",
    tag: area,
    summary: 'Change the display name and/or the avatar (an image file of the drive, at most 2 MiB; "" removes it)',
    body: z.object({
      name: z.optional(displayName),
      avatar: z.optional(z.union([z.literal(""), z.uuid()]).check(z.describe('file identity of an image in the drive, "" for none'))),
    }),
    data: z.object({ userInfo }),
    errors: ["FILE_NOT_FOUND", "INVALID_AVATAR"],
  }),
};
