/**
 * The console's only way to the backend: the public HTTP API of API.md, through the contract's typed
 * client. Request and response types come from the route table's schemas (type-only imports); the
 * methods and paths from the same table, inlined by the build (`__POLARIS_ENDPOINTS__`, vite.config.ts),
 * so zod stays out of the bundle.
 */
import { ApiError, createClient, type Endpoints, type InputOf, type ResponseOf } from "@polaris/contract/client";

export { ApiError };
export type TokenPair = ResponseOf<"user.login">;
export type UserInfo = ResponseOf<"user.info">["userInfo"];
export type Quota = ResponseOf<"user.quota">;
export type FileItem = ResponseOf<"file.detail">["file"];
export type TrashItem = ResponseOf<"file.trashList">["list"][number];
export type PathEntry = ResponseOf<"file.detail">["path"][number];
export type ShareItem = ResponseOf<"share.list">["list"][number];
export type PublicShare = ResponseOf<"share.validate">["share"];
export type ShareInfo = ResponseOf<"share.info">;
export type ZipJob = ResponseOf<"zip.status">;
export type SearchHit = ResponseOf<"search.files">["list"][number];
export type PartUrl = ResponseOf<"file.uploadParts">["parts"][number];
export type FileVersion = ResponseOf<"file.versions">["list"][number];
export type PreviewInfo = ResponseOf<"preview.file">;

declare const __POLARIS_ENDPOINTS__: Endpoints;
const endpoints = __POLARIS_ENDPOINTS__;

export const apiBase = (((import.meta as any).env?.VITE_API_URL as string | undefined) || location.origin).replace(/\/+$/, "");

/** Code used by the console for "could not reach the server" (not a business code). */
export const NETWORK_ERROR = -1;

const TOKEN_KEY = "polaris.token";
let token: string | null = localStorage.getItem(TOKEN_KEY);
const authListeners = new Set<(signedIn: boolean) => void>();
export const getToken = () => token;
export function setToken(next: string | null) {
  token = next;
  if (next) localStorage.setItem(TOKEN_KEY, next);
  else localStorage.removeItem(TOKEN_KEY);
  for (const l of authListeners) l(!!next);
}
export const onAuthChange = (l: (signedIn: boolean) => void) => {
  authListeners.add(l);
  return () => authListeners.delete(l);
};

const call = createClient({
  endpoints,
  baseUrl: apiBase,
  token: () => token,
  fetch: (url, init) => {
    // Every POST carries an idempotency key of its own, as before the typed client.
    if (init.method === "POST") (init.headers as Record<string, string>)["idempotency-key"] = crypto.randomUUID();
    return fetch(url, init).catch((e: Error) => {
      if (e.name === "AbortError") throw e;
      throw new ApiError(NETWORK_ERROR, e.message, 0);
    });
  },
  // A refused token is dropped, which signs the console out.
  onError: (e, endpoint) => {
    // 200005: the account was disabled.
    if ((e.code === 100003 || e.code === 200005) && endpoint.auth === "jwt" && token) setToken(null);
  },
});
// The upload routes also take a folder's numeric id (Polaris-IO compatibility); the console sends identities.
const root = (id?: string | number | null) => (id ? String(id) : "0");

export const api = {
  /** Whether the server answers at all (false while it is down or restarting). */
  reachable: () =>
    fetch(`${apiBase}${endpoints["ops.healthz"].path}`, { cache: "no-store" }).then(
      (r) => r.ok,
      () => false,
    ),
  register: (mobile: string, password: string, name?: string) => call("user.register", { mobile, password, name: name || undefined }),
  login: (mobile: string, password: string) => call("user.login", { mobile, password }),
  info: () => call("user.info"),
  quota: () => call("user.quota"),

  list: (q: InputOf<"file.list">) => call("file.list", { ...q, parentId: root(q.parentId) }),
  detail: (identity: string) => call("file.detail", { identity }),
  download: (identity: string) => call("file.download", { identity }),
  preview: (identity: string) => call("preview.file", { identity }),
  mkdir: (name: string, parentId?: string) => call("file.createFolder", { name, parentId: root(parentId) }),
  rename: (identity: string, name: string) => call("file.rename", { identity, name }),
  move: (identities: string[], targetId: string) => call("file.move", { identities, targetId: root(targetId) }),
  copy: (identities: string[], targetId: string) => call("file.copy", { identities, targetId: root(targetId) }),
  remove: (identities: string[]) => call("file.delete", { identities }),
  trashList: (page = 1, pageSize = 100) => call("file.trashList", { page, pageSize }),
  trashRestore: (identities: string[]) => call("file.trashRestore", { identities }),
  trashDelete: (identities: string[]) => call("file.trashDelete", { identities }),
  trashClear: () => call("file.trashClear", {}),
  versions: (identity: string) => call("file.versions", { identity }),
  versionDownload: (identity: string) => call("file.versionDownload", { identity }),
  versionRestore: (identity: string) => call("file.versionRestore", { identity }),
  versionDelete: (identity: string) => call("file.versionDelete", { identity }),

  instant: (b: InputOf<"file.uploadInstant">) => call("file.uploadInstant", { ...b, parentId: root(b.parentId) }),
  presign: (b: InputOf<"file.uploadPresign">) => call("file.uploadPresign", { ...b, parentId: root(b.parentId) }),
  parts: (uploadKey: string) => call("file.uploadParts", { uploadKey }),
  callback: (uploadKey: string) => call("file.uploadCallback", { uploadKey }),
  abort: (uploadKey: string) => call("file.uploadAbort", { uploadKey }),

  shareCreate: (
    fileIdentity: string,
    expiredType: InputOf<"share.create">["expiredType"],
    hasCode: boolean,
    limits: Omit<InputOf<"share.create">, "fileIdentity" | "expiredType" | "hasCode"> = {},
  ) => call("share.create", { fileIdentity, hasCode, ...(limits.expireAt ? {} : { expiredType }), ...limits }),
  shareInfo: (identity: string) => call("share.info", { identity }),
  shareList: (page = 1, pageSize = 100) => call("share.list", { page, pageSize }),
  shareUpdate: (b: InputOf<"share.update">) => call("share.update", b),
  shareCancel: (identities: string[]) => call("share.cancel", { identities }),
  shareValidate: (identity: string, code?: string) => call("share.validate", { identity, code: code || undefined }),
  shareDetail: (q: InputOf<"share.detail">) => call("share.detail", q),
  shareDownload: (q: InputOf<"share.download">) => call("share.download", q),
  sharePreview: (q: InputOf<"preview.share">) => call("preview.share", q),
  shareSave: (b: InputOf<"share.save">) => call("share.save", b),
  zipCreate: (identities: string[]) => call("zip.create", { identities }),
  zipStatus: (id: string) => call("zip.status", { id }),
  shareZip: (b: InputOf<"share.zip">) => call("share.zip", b),
  shareZipStatus: (q: InputOf<"share.zipStatus">) => call("share.zipStatus", q),

  search: (q: InputOf<"search.files">) => call("search.files", q),
  stats: () => call("search.stats"),

  changePassword: (oldPassword: string, newPassword: string) => call("user.changePassword", { oldPassword, newPassword }),
  logout: (all: boolean) => call("user.logout", { all }),
  profile: (b: InputOf<"user.profile">) => call("user.profile", b),
  /** The administrators' routes (`admin.*`), typed by the route table. */
  admin: <N extends AdminRoute>(name: N, input: InputOf<N>): Promise<ResponseOf<N>> =>
    (call as (name: string, input: unknown) => Promise<ResponseOf<N>>)(name, input),
};
type AdminRoute = Extract<keyof Endpoints, `admin.${string}`>;
export type AdminUser = ResponseOf<"admin.users">["list"][number];
export type AdminShare = ResponseOf<"admin.shares">["list"][number];
export type AdminStats = ResponseOf<"admin.stats">;
export type AuditEntry = ResponseOf<"admin.audit">["list"][number];
