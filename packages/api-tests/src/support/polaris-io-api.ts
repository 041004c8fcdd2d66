/**
 * Polaris-IO's 28 HTTP routes, transcribed from its go-zero definitions (sisyphe550/Polaris-IO,
 * `backend/app/<service>/cmd/api/desc/*.api` and the generated `internal/handler/routes.go`): method,
 * path (prefix + route), whether the route sits under `jwt: JwtAuth`, the request's fields and the
 * response's `data`. Types are the Go ones reduced to JSON: int64/uint64/int → "int", string →
 * "string", bool → "bool"; "?" marks a field tagged `optional` or `omitempty`; an array holds its
 * element's shape. The compatibility tests check Polaris's answers against this table, not against
 * Polaris's own route table.
 */
export type Shape =
  | "int"
  | "string"
  | "bool"
  | "int?"
  | "string?"
  | "bool?"
  | "string[]"
  | "string[]?"
  | Shape[]
  | { [field: string]: Shape };

export interface OriginalRoute {
  method: "GET" | "POST";
  path: string;
  jwt: boolean;
  request: Record<string, Shape>;
  data: Record<string, Shape>;
}

const User = { id: "int", mobile: "string", name: "string", avatar: "string", info: "string" } satisfies Shape;
const FileItem = {
  id: "int",
  identity: "string",
  name: "string",
  ext: "string",
  size: "int",
  isDir: "bool",
  parentId: "int",
  createTime: "int",
  updateTime: "int",
} satisfies Shape;
const TrashItem = {
  id: "int",
  identity: "string",
  name: "string",
  ext: "string",
  size: "int",
  isDir: "bool",
  deleteTime: "int",
} satisfies Shape;
const ShareItem = {
  id: "int",
  identity: "string",
  userId: "int",
  repositoryIdentity: "string",
  fileName: "string",
  fileExt: "string",
  fileSize: "int",
  isDir: "bool",
  code: "string",
  clickNum: "int",
  expiredTime: "int",
  status: "int",
  createTime: "int",
} satisfies Shape;
const ShareFileInfo = { identity: "string", name: "string", ext: "string", size: "int", isDir: "bool" } satisfies Shape;
const SearchItem = {
  id: "string",
  fileId: "int",
  name: "string",
  ext: "string",
  size: "int",
  isDir: "bool",
  parentId: "int",
  createTime: "int",
  updateTime: "int",
} satisfies Shape;
const tokens = { accessToken: "string", accessExpire: "int", refreshAfter: "int" } satisfies Shape;
const page = { page: "int?", pageSize: "int?" } satisfies Record<string, Shape>;

const route = (
  method: OriginalRoute["method"],
  path: string,
  jwt: boolean,
  request: OriginalRoute["request"],
  data: OriginalRoute["data"],
) => ({ method, path, jwt, request, data }) satisfies OriginalRoute;

export const polarisIoRoutes = {
  // usercenter.api
  register: route("POST", "/usercenter/v1/user/register", false, { mobile: "string", password: "string", name: "string?" }, tokens),
  login: route("POST", "/usercenter/v1/user/login", false, { mobile: "string", password: "string" }, tokens),
  userInfo: route("GET", "/usercenter/v1/user/info", true, {}, { user: User }),
  userQuota: route("GET", "/usercenter/v1/user/quota", true, {}, { quota: { totalSize: "int", usedSize: "int" } }),
  // file.api
  uploadCheck: route(
    "POST",
    "/file/v1/upload/check",
    true,
    { hash: "string", size: "int", name: "string", ext: "string" },
    { exists: "bool", identity: "string?" },
  ),
  uploadPresign: route(
    "POST",
    "/file/v1/upload/presign",
    true,
    { hash: "string", size: "int", name: "string", ext: "string", mimeType: "string", parentId: "int?" },
    { uploadUrl: "string", uploadKey: "string" },
  ),
  uploadComplete: route(
    "POST",
    "/file/v1/upload/complete",
    true,
    { uploadKey: "string", hash: "string", size: "int", name: "string", ext: "string", mimeType: "string", parentId: "int?" },
    { identity: "string" },
  ),
  folderCreate: route("POST", "/file/v1/folder/create", true, { name: "string", parentId: "int?" }, { identity: "string" }),
  fileList: route(
    "GET",
    "/file/v1/list",
    true,
    { parentId: "int?", ...page, orderBy: "string?", order: "string?" },
    { list: [FileItem], total: "int" },
  ),
  fileDetail: route("GET", "/file/v1/detail", true, { identity: "string" }, { file: FileItem, path: [FileItem] }),
  fileDownload: route("GET", "/file/v1/download", true, { identity: "string" }, { url: "string" }),
  fileMove: route("POST", "/file/v1/move", true, { identities: "string[]", targetId: "int" }, {}),
  fileRename: route("POST", "/file/v1/rename", true, { identity: "string", name: "string" }, {}),
  fileCopy: route("POST", "/file/v1/copy", true, { identities: "string[]", targetId: "int" }, {}),
  fileDelete: route("POST", "/file/v1/delete", true, { identities: "string[]" }, {}),
  trashList: route("GET", "/file/v1/trash/list", true, page, { list: [TrashItem], total: "int" }),
  trashRestore: route("POST", "/file/v1/trash/restore", true, { identities: "string[]" }, {}),
  trashDelete: route("POST", "/file/v1/trash/delete", true, { identities: "string[]" }, {}),
  trashClear: route("POST", "/file/v1/trash/clear", true, {}, {}),
  // share.api
  shareCreate: route(
    "POST",
    "/share/v1/create",
    true,
    { repositoryIdentity: "string", expiredType: "int", hasCode: "bool" },
    { identity: "string", code: "string", url: "string" },
  ),
  shareList: route("GET", "/share/v1/list", true, page, { list: [ShareItem], total: "int" }),
  shareCancel: route("POST", "/share/v1/cancel", true, { identities: "string[]" }, { cancelledCount: "int" }),
  shareUpdate: route("POST", "/share/v1/update", true, { identity: "string", expiredType: "int?", code: "string?" }, {}),
  shareSave: route(
    "POST",
    "/share/v1/save",
    true,
    { identity: "string", code: "string", fileIdentities: "string[]", targetFolderId: "int" },
    { savedCount: "int" },
  ),
  shareDetail: route(
    "GET",
    "/share/v1/detail",
    false,
    { identity: "string", code: "string" },
    { file: ShareFileInfo, sharerName: "string", expiredTime: "int", children: [ShareFileInfo] },
  ),
  shareDownload: route(
    "GET",
    "/share/v1/download",
    false,
    { identity: "string", code: "string", fileIdentity: "string" },
    { url: "string" },
  ),
  // search.api
  searchFiles: route(
    "GET",
    "/search/v1/files",
    true,
    {
      keyword: "string?",
      ext: "string[]?",
      isDir: "bool?",
      minSize: "int?",
      maxSize: "int?",
      ...page,
      sortBy: "string?",
      sortDesc: "bool?",
    },
    { total: "int", list: [SearchItem] },
  ),
  searchStats: route("GET", "/search/v1/stats", true, {}, { totalFiles: "int", totalFolders: "int" }),
};
export type PolarisIoRoute = keyof typeof polarisIoRoutes;

/**
 * Where `value` differs from `shape`: missing fields, wrong JSON types, recursively. Extra fields are
 * allowed (a Go client ignores them).
 */
export function mismatches(shape: Shape, value: unknown, at = "data"): string[] {
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [`${at}: expected an array, got ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => mismatches(shape[0]!, v, `${at}[${i}]`));
  }
  if (typeof shape === "object") {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return [`${at}: expected an object, got ${JSON.stringify(value)}`];
    return Object.entries(shape).flatMap(([field, s]) => mismatches(s, (value as Record<string, unknown>)[field], `${at}.${field}`));
  }
  const optional = shape.endsWith("?");
  if (value === undefined) return optional ? [] : [`${at}: missing`];
  const type = shape.replace("?", "");
  const ok =
    type === "int"
      ? Number.isSafeInteger(value)
      : type === "string[]"
        ? Array.isArray(value) && value.every((v) => typeof v === "string")
        : typeof value === (type === "bool" ? "boolean" : type);
  return ok ? [] : [`${at}: expected ${type}, got ${JSON.stringify(value)}`];
}
