import * as z from "zod/mini";
import { defineRoute, plainText, unixSeconds } from "./route";

export const mobile = z.string().check(z.regex(/^1\d{10}$/, "must be 11 digits starting with 1"));
const password = z.string().check(z.minLength(6, "must be at least 6 characters"), z.maxLength(72, "must be at most 72 characters"));

export const tokenPair = z.object({
  accessToken: z.string(),
  accessExpire: unixSeconds.check(z.describe("when the access token expires (Unix seconds)")),
  refreshAfter: unixSeconds.check(z.describe("when the client should log in again to refresh (Unix seconds)")),
});

export const userInfo = z.object({
  id: z.int(),
  mobile: z.string(),
  name: z.string(),
  avatar: z.string(),
  info: z.string(),
  createTime: unixSeconds,
});

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
      name: z.optional(plainText(z.string().check(z.trim(), z.minLength(1), z.maxLength(32, "must be at most 32 characters")))),
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
    summary: "The signed-in user's profile",
    data: z.object({ userInfo }),
    errors: ["USER_NOT_FOUND"],
  }),
  quota: defineRoute({
    method: "GET",
    path: "/usercenter/v1/user/quota",
    handler: "functions/http/user/quota.ts",
    auth: "jwt",
    tag: area,
    summary: "Storage quota: total, used and reserved by uploads in progress (bytes)",
    data: quota,
    errors: ["USER_NOT_FOUND"],
  }),
};
