import { routeTable } from "@polaris/contract";
import { createClient, endpointsOf, type Call, type InputOf, type ResponseOf } from "@polaris/contract/client";
import { NetworkError, NotLoggedInError } from "./errors";

export type FileItem = ResponseOf<"file.detail">["file"];

const endpoints = endpointsOf(routeTable);

/** The public HTTP API of API.md, nothing else: every call goes through the contract's typed client. */
export class Client {
  /** Any route of the table, typed (the commands in commands/ call theirs directly). */
  readonly call: Call;

  constructor(
    public readonly base: string,
    token?: string,
  ) {
    this.call = createClient({
      endpoints,
      baseUrl: base,
      token: () => {
        if (!token) throw new NotLoggedInError("not logged in: run `polaris login` first");
        return token;
      },
      fetch: (url, init) =>
        fetch(url, init).catch((e) => {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          throw new NetworkError(`cannot reach ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
        }),
      onError: (e) => {
        if (e.code === 100003) throw new NotLoggedInError(`not logged in (error 100003: ${e.message}): run \`polaris login\``);
      },
    });
  }

  register = (mobile: string, password: string, name?: string) => this.call("user.register", { mobile, password, name });
  login = (mobile: string, password: string) => this.call("user.login", { mobile, password });
  info = () => this.call("user.info");
  quota = () => this.call("user.quota");

  list = (query: InputOf<"file.list">) => this.call("file.list", query);
  /** Every child of a folder, following the keyset cursor. */
  async listAll(
    parentId: string,
    orderBy: InputOf<"file.list">["orderBy"] = "name",
    order: InputOf<"file.list">["order"] = "asc",
  ): Promise<FileItem[]> {
    const out: FileItem[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ parentId, pageSize: 1000, cursor, orderBy, order });
      out.push(...page.list);
      if (!page.nextCursor || page.list.length === 0 || out.length >= page.total) return out;
      cursor = page.nextCursor;
    }
  }
  detail = (identity: string) => this.call("file.detail", { identity });
  download = (identity: string) => this.call("file.download", { identity });
  mkdir = (name: string, parentId: string) => this.call("file.createFolder", { name, parentId });
  rename = (identity: string, name: string) => this.call("file.rename", { identity, name });
  move = (identities: string[], targetId: string) => this.call("file.move", { identities, targetId });
  copy = (identities: string[], targetId: string) => this.call("file.copy", { identities, targetId });
  remove = (identities: string[]) => this.call("file.delete", { identities });
  trashList = (page = 1, pageSize = 1000) => this.call("file.trashList", { page, pageSize });
  trashRestore = (identities: string[]) => this.call("file.trashRestore", { identities });
  trashDelete = (identities: string[]) => this.call("file.trashDelete", { identities });
  trashClear = () => this.call("file.trashClear", {});
  versions = (identity: string) => this.call("file.versions", { identity });
  versionDownload = (identity: string) => this.call("file.versionDownload", { identity });
  versionRestore = (identity: string) => this.call("file.versionRestore", { identity });
  versionDelete = (identity: string) => this.call("file.versionDelete", { identity });

  instant = (body: InputOf<"file.uploadInstant">) => this.call("file.uploadInstant", body);
  presign = (body: InputOf<"file.uploadPresign">) => this.call("file.uploadPresign", body);
  parts = (uploadKey: string) => this.call("file.uploadParts", { uploadKey });
  callback = (uploadKey: string) => this.call("file.uploadCallback", { uploadKey });
  abort = (uploadKey: string) => this.call("file.uploadAbort", { uploadKey });

  shareCreate = (fileIdentity: string, expiredType: InputOf<"share.create">["expiredType"], hasCode: boolean) =>
    this.call("share.create", { fileIdentity, expiredType, hasCode });
  shareList = () => this.call("share.list", { page: 1, pageSize: 1000 });
  shareUpdate = (body: InputOf<"share.update">) => this.call("share.update", body);
  shareCancel = (identities: string[]) => this.call("share.cancel", { identities });

  search = (query: InputOf<"search.files">) => this.call("search.files", query);
}
