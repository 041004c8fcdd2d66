/**
 * The console's only way to the backend: the public HTTP API of API.md. Request/response types come
 * from `@polaris/contract` where its schemas exist (type-only imports, so zod stays out of the
 * bundle); the rest are declared here from API.md until their schemas land.
 */
import type { DataOf, fileRoutes, searchRoutes, shareRoutes, userRoutes } from "@polaris/contract";

export type TokenPair = DataOf<typeof userRoutes.login>;
export type UserInfo = DataOf<typeof userRoutes.info>["userInfo"];
export type Quota = DataOf<typeof userRoutes.quota>;
export type FileItem = DataOf<typeof fileRoutes.detail>["file"];
export type TrashItem = DataOf<typeof fileRoutes.trashList>["list"][number];
export type PathEntry = DataOf<typeof fileRoutes.detail>["path"][number];
export interface ListResult<T> { list: T[]; total: number; page?: number; pageSize?: number; nextCursor?: string | null }
export type ShareItem = DataOf<typeof shareRoutes.list>["list"][number];
export type PublicShare = DataOf<typeof shareRoutes.validate>["share"];
export type SearchHit = DataOf<typeof searchRoutes.files>["list"][number];
export type PartUrl = { partNumber: number; url: string };
export type Presign =
  | { uploadKey: string; mode: "single"; uploadUrl: string; headers?: Record<string, string>; expiresAt: number }
  | { uploadKey: string; mode: "multipart"; partSize: number; parts: PartUrl[]; expiresAt: number };
export type Instant =
  | { exists: false }
  | { exists: true; challenge: { offset: number; length: number; nonce: string }; identity?: undefined }
  | { exists: true; identity: string; file: FileItem; challenge?: undefined };

export const apiBase = (((import.meta as any).env?.VITE_API_URL as string | undefined) || location.origin).replace(/\/+$/, "");

export class ApiError extends Error {
  constructor(public code: number, message: string, public status: number) {
    super(message);
  }
}
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

type Query = Record<string, string | number | boolean | undefined | null | string[]>;

export async function request<T>(method: "GET" | "POST", path: string, opts: { body?: unknown; query?: Query; auth?: boolean; signal?: AbortSignal } = {}): Promise<T> {
  const url = new URL(apiBase + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, x));
    else url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.auth !== false && token) headers.authorization = `Bearer ${token}`;
  if (method === "POST") headers["idempotency-key"] = crypto.randomUUID();
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(NETWORK_ERROR, (e as Error).message, 0);
  }
  let env: { code?: number; msg?: string; data?: T } | undefined;
  try {
    env = await res.json();
  } catch {
    env = undefined;
  }
  if (!env || typeof env.code !== "number") throw new ApiError(res.ok ? 100001 : res.status === 404 ? 100004 : 100001, `HTTP ${res.status}`, res.status);
  if (env.code !== 200 || !res.ok) {
    if (env.code === 100003 && opts.auth !== false && token) setToken(null);
    throw new ApiError(env.code, env.msg ?? "", res.status);
  }
  return env.data as T;
}

const get = <T>(path: string, query?: Query, auth?: boolean) => request<T>("GET", path, { query, auth });
const post = <T>(path: string, body: unknown = {}, auth?: boolean) => request<T>("POST", path, { body, auth });
const root = (id?: string | null) => id || "0";

export const api = {
  /** Whether the server answers at all (false while it is down or restarting). */
  reachable: () => fetch(`${apiBase}/healthz`, { cache: "no-store" }).then((r) => r.ok, () => false),
  register: (mobile: string, password: string, name?: string) => post<TokenPair>("/usercenter/v1/user/register", { mobile, password, name: name || undefined }, false),
  login: (mobile: string, password: string) => post<TokenPair>("/usercenter/v1/user/login", { mobile, password }, false),
  info: () => get<{ userInfo: UserInfo }>("/usercenter/v1/user/info"),
  quota: () => get<Quota>("/usercenter/v1/user/quota"),

  list: (q: { parentId?: string; page?: number; pageSize?: number; cursor?: string; orderBy?: string; order?: "asc" | "desc" }) =>
    get<ListResult<FileItem>>("/file/v1/file/list", { ...q, parentId: root(q.parentId) }),
  detail: (identity: string) => get<{ file: FileItem; path: PathEntry[] }>("/file/v1/file/detail", { identity }),
  download: (identity: string) => get<{ url: string; expiresAt: number }>("/file/v1/file/download", { identity }),
  mkdir: (name: string, parentId?: string) => post<{ identity: string; file: FileItem }>("/file/v1/folder/create", { name, parentId: root(parentId) }),
  rename: (identity: string, name: string) => post<{ file: FileItem }>("/file/v1/file/rename", { identity, name }),
  move: (identities: string[], targetId: string) => post<{ movedCount: number }>("/file/v1/file/move", { identities, targetId: root(targetId) }),
  copy: (identities: string[], targetId: string) => post<{ copiedCount: number }>("/file/v1/file/copy", { identities, targetId: root(targetId) }),
  remove: (identities: string[]) => post<{ deletedCount: number }>("/file/v1/file/delete", { identities }),
  trashList: (page = 1, pageSize = 100) => get<ListResult<TrashItem>>("/file/v1/trash/list", { page, pageSize }),
  trashRestore: (identities: string[]) => post<{ restoredCount: number }>("/file/v1/trash/restore", { identities }),
  trashDelete: (identities: string[]) => post<{ deletedCount: number }>("/file/v1/trash/delete", { identities }),
  trashClear: () => post<{ deletedCount: number }>("/file/v1/trash/clear", {}),

  instant: (b: { hash: string; size: number; name: string; parentId?: string; proof?: string }) =>
    post<Instant>("/file/v1/upload/instant", { ...b, parentId: root(b.parentId) }),
  presign: (b: { hash: string; size: number; name: string; mimeType?: string; parentId?: string }) =>
    post<Presign>("/file/v1/upload/presign", { ...b, parentId: root(b.parentId) }),
  parts: (uploadKey: string) => post<{ uploaded: { partNumber: number; etag: string; size: number }[]; parts: PartUrl[] }>("/file/v1/upload/parts", { uploadKey }),
  callback: (uploadKey: string) => post<{ identity: string; file: FileItem }>("/file/v1/upload/callback", { uploadKey }),
  abort: (uploadKey: string) => post<Record<string, never>>("/file/v1/upload/abort", { uploadKey }),

  shareCreate: (fileIdentity: string, expiredType: number, hasCode: boolean) =>
    post<{ identity: string; code: string; url: string; expiredTime: number }>("/share/v1/share/create", { fileIdentity, expiredType, hasCode }),
  shareList: (page = 1, pageSize = 100) => get<ListResult<ShareItem>>("/share/v1/share/list", { page, pageSize }),
  shareUpdate: (b: { identity: string; expiredType?: number; code?: string }) => post<{ share: ShareItem }>("/share/v1/share/update", b),
  shareCancel: (identities: string[]) => post<{ cancelledCount: number }>("/share/v1/share/cancel", { identities }),
  shareValidate: (identity: string, code?: string) => post<{ share: PublicShare; shareToken: string }>("/share/v1/share/validate", { identity, code: code || undefined }, false),
  shareDetail: (q: { identity: string; shareToken?: string; code?: string; parentId?: string }) =>
    get<DataOf<typeof shareRoutes.detail>>("/share/v1/share/detail", q, false),
  shareDownload: (q: { identity: string; shareToken?: string; code?: string; fileIdentity: string }) =>
    get<{ url: string; expiresAt: number }>("/share/v1/share/download", q, false),
  shareSave: (b: { identity: string; shareToken?: string; code?: string; fileIdentities: string[]; targetFolderId?: string }) =>
    post<{ savedCount: number }>("/share/v1/share/save", b),

  search: (q: Query) => get<ListResult<SearchHit>>("/search/v1/search/files", q),
  stats: () => get<DataOf<typeof searchRoutes.stats>>("/search/v1/search/stats"),
};
