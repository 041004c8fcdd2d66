import type { DataOf, fileRoutes, userRoutes } from "@polaris/contract";
import { ApiError, NetworkError, NotLoggedInError } from "./errors";

export type FileItem = DataOf<typeof fileRoutes.detail>["file"];
export type TrashItem = DataOf<typeof fileRoutes.trashList>["list"][number];
export type TokenPair = DataOf<typeof userRoutes.login>;
export interface ShareItem {
  identity: string; fileIdentity: string; fileName: string; isDir: boolean; code: string;
  expiredTime: number; clickNum: number; saveNum: number; status: number; createTime: number;
}
export interface SearchHit extends FileItem { path?: unknown; highlight?: unknown }

type Query = Record<string, string | number | boolean | undefined>;

/** The public HTTP API of API.md, nothing else. */
export class Client {
  constructor(public readonly base: string, private token?: string) {}

  async request<T>(method: "GET" | "POST", path: string, options: { body?: unknown; query?: Query; auth?: boolean } = {}): Promise<T> {
    const auth = options.auth ?? true;
    if (auth && !this.token) throw new NotLoggedInError("not logged in: run `polaris login` first");
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new NetworkError(`cannot reach ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    const text = await res.text();
    let env: { code?: number; msg?: string; data?: T } | undefined;
    try {
      env = JSON.parse(text);
    } catch {
      env = undefined;
    }
    if (!env || typeof env.code !== "number") throw new ApiError(res.status === 404 ? 100004 : 100001, `unexpected HTTP ${res.status} from ${path}`, res.status);
    if (env.code !== 200 || !res.ok) {
      if (env.code === 100003) throw new NotLoggedInError(`not logged in (error 100003: ${env.msg}): run \`polaris login\``);
      throw new ApiError(env.code, env.msg ?? "", res.status);
    }
    return env.data as T;
  }

  get = <T>(path: string, query?: Query, auth?: boolean) => this.request<T>("GET", path, { query, auth });
  post = <T>(path: string, body: unknown = {}, auth?: boolean) => this.request<T>("POST", path, { body, auth });

  register = (mobile: string, password: string, name?: string) => this.post<TokenPair>("/usercenter/v1/user/register", { mobile, password, name }, false);
  login = (mobile: string, password: string) => this.post<TokenPair>("/usercenter/v1/user/login", { mobile, password }, false);
  info = () => this.get<{ userInfo: { id: number; mobile: string; name: string } }>("/usercenter/v1/user/info");
  quota = () => this.get<{ totalSize: number; usedSize: number; reservedSize: number }>("/usercenter/v1/user/quota");

  list = (query: { parentId: string; pageSize?: number; cursor?: string; page?: number; orderBy?: string; order?: string }) =>
    this.get<{ list: FileItem[]; total: number; nextCursor?: string }>("/file/v1/file/list", query);
  /** Every child of a folder, following the keyset cursor. */
  async listAll(parentId: string, orderBy = "name", order = "asc"): Promise<FileItem[]> {
    const out: FileItem[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ parentId, pageSize: 1000, cursor, orderBy, order });
      out.push(...page.list);
      if (!page.nextCursor || page.list.length === 0 || out.length >= page.total) return out;
      cursor = page.nextCursor;
    }
  }
  detail = (identity: string) => this.get<{ file: FileItem; path: { identity: string; name: string }[] }>("/file/v1/file/detail", { identity });
  download = (identity: string) => this.get<{ url: string; expiresAt: number }>("/file/v1/file/download", { identity });
  mkdir = (name: string, parentId: string) => this.post<{ identity: string; file: FileItem }>("/file/v1/folder/create", { name, parentId });
  rename = (identity: string, name: string) => this.post<{ file: FileItem }>("/file/v1/file/rename", { identity, name });
  move = (identities: string[], targetId: string) => this.post<{ movedCount: number }>("/file/v1/file/move", { identities, targetId });
  copy = (identities: string[], targetId: string) => this.post<{ copiedCount: number }>("/file/v1/file/copy", { identities, targetId });
  remove = (identities: string[]) => this.post<{ deletedCount: number }>("/file/v1/file/delete", { identities });
  trashList = (page = 1, pageSize = 1000) => this.get<{ list: TrashItem[]; total: number }>("/file/v1/trash/list", { page, pageSize });
  trashRestore = (identities: string[]) => this.post<{ restoredCount: number }>("/file/v1/trash/restore", { identities });
  trashDelete = (identities: string[]) => this.post<{ deletedCount: number }>("/file/v1/trash/delete", { identities });
  trashClear = () => this.post<{ deletedCount: number }>("/file/v1/trash/clear", {});

  instant = (body: { hash: string; size: number; name: string; parentId: string; proof?: string }) =>
    this.post<{ exists: boolean; challenge?: { offset: number; length: number; nonce: string }; identity?: string; file?: FileItem }>("/file/v1/upload/instant", body);
  presign = (body: { hash: string; size: number; name: string; parentId: string; mimeType?: string }) =>
    this.post<{ uploadKey: string; mode: "single" | "multipart"; uploadUrl?: string; headers?: Record<string, string>; partSize?: number; parts?: { partNumber: number; url: string }[]; expiresAt: number }>("/file/v1/upload/presign", body);
  parts = (uploadKey: string) =>
    this.post<{ uploaded: { partNumber: number; etag: string; size: number }[]; parts: { partNumber: number; url: string }[] }>("/file/v1/upload/parts", { uploadKey });
  callback = (uploadKey: string) => this.post<{ identity: string; file: FileItem }>("/file/v1/upload/callback", { uploadKey });
  abort = (uploadKey: string) => this.post<Record<string, never>>("/file/v1/upload/abort", { uploadKey });

  shareCreate = (fileIdentity: string, expiredType: number, hasCode: boolean) =>
    this.post<{ identity: string; code: string; url: string; expiredTime: number }>("/share/v1/share/create", { fileIdentity, expiredType, hasCode });
  shareList = () => this.get<{ list: ShareItem[]; total: number }>("/share/v1/share/list", { page: 1, pageSize: 1000 });
  shareUpdate = (body: { identity: string; expiredType?: number; code?: string }) => this.post<{ share: ShareItem }>("/share/v1/share/update", body);
  shareCancel = (identities: string[]) => this.post<{ cancelledCount: number }>("/share/v1/share/cancel", { identities });

  search = (query: Query) => this.get<{ total: number; list: SearchHit[] }>("/search/v1/search/files", query);
}
