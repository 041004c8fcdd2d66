/**
 * Chinese and English text of the console, and a clear message for every business code of API.md
 * (the `errorMessages` table is checked against the contract's code table by a unit test).
 */
import { createContext, useContext } from "react";
import { errorMessages } from "./messages";

export { errorMessages };

export type Lang = "zh" | "en";

/**
 * A message a person can act on, for any error: the mapped text of a business code, a file that can
 * no longer be read, or a general one;
 * never the text of a programming error (that goes to the developer console where it happened).
 */
export function describeError(error: unknown, lang: Lang): string {
  const e = error as { code?: number; message?: string; name?: string };
  if (typeof e?.code === "number") {
    // The mapped text only: the server's detail is written for developers, in English ("identity Invalid UUID").
    const mapped = errorMessages[e.code]?.[lang];
    if (mapped) return `${mapped}${e.code > 0 ? ` [${e.code}]` : ""}`;
    if (e.code > 0) return `${messages[lang].unexpectedError} [${e.code}]`;
  }
  if (e?.name === "NotReadableError" || e?.name === "NotFoundError") return messages[lang].fileUnreadable;
  return messages[lang].unexpectedError;
}

const zh = {
  appName: "Polaris 云盘",
  signIn: "登录",
  signUp: "注册",
  signOut: "退出",
  mobile: "手机号",
  password: "密码",
  nickname: "昵称（可选）",
  noAccount: "还没有账号？注册",
  haveAccount: "已有账号？登录",
  drive: "我的文件",
  trash: "回收站",
  myShares: "我的分享",
  search: "搜索",
  root: "全部文件",
  newFolder: "新建文件夹",
  upload: "上传文件",
  uploadFolder: "上传文件夹",
  rename: "重命名",
  move: "移动",
  copy: "复制",
  delete: "删除",
  share: "分享",
  download: "下载",
  open: "打开",
  name: "名称",
  size: "大小",
  modified: "修改时间",
  created: "创建时间",
  actions: "操作",
  empty: "这里还没有文件，把文件拖到这里上传",
  loadMore: "加载更多",
  items: "项",
  folderName: "文件夹名称",
  newName: "新名称",
  ok: "确定",
  cancel: "取消",
  close: "关闭",
  chooseTarget: "选择目标文件夹",
  moveHere: "移动到这里",
  copyHere: "复制到这里",
  confirmDelete: "确定把选中的 {n} 项移到回收站？",
  deleted: "已移到回收站",
  done: "完成",
  restore: "还原",
  deleteForever: "彻底删除",
  emptyTrash: "清空回收站",
  confirmEmpty: "确定清空回收站？此操作不可恢复。",
  deletedAt: "删除时间",
  purgeAt: "自动清除",
  trashEmpty: "回收站是空的",
  quota: "已用 {used} · 预留 {reserved} · 共 {total}",
  quotaReservedHint: "预留：进行中的上传预先占用的空间，完成后计入已用，取消后释放",
  dropHere: "松开鼠标即可上传",
  uploads: "上传列表",
  hashing: "计算校验值",
  checking: "检查秒传",
  proving: "秒传校验",
  uploading: "上传中",
  completing: "完成中",
  paused: "已暂停",
  queued: "等待中",
  failed: "失败",
  cancelled: "已取消",
  instantDone: "秒传成功",
  uploaded: "上传完成",
  pause: "暂停",
  resume: "继续",
  retry: "重试",
  remove: "移除",
  resumable: "可续传的上传（重新选择同一文件即可继续）",
  chooseFile: "选择文件继续",
  clearFinished: "清除已完成",
  remaining: "剩余 {t}",
  part: "分片",
  waitingNetwork: "等待网络恢复…",
  waitingServer: "无法连接服务器，正在等待…",
  retrying: "上传中断，正在重试…",
  partsKept: "已上传的部分已保留，点“重试”从中断处继续。",
  sessionReleased: "预留的空间已释放，点“重试”将重新上传。",
  notSameFile: "这不是同一个文件：请选择 “{name}”（{size}，修改时间相同的那个）。",
  unexpectedError: "出了点问题，请重试。",
  fileUnreadable: "无法读取该文件（可能已被移动或修改），请重新选择。",
  shareTitle: "分享 “{name}”",
  withCode: "使用提取码",
  expiry: "有效期",
  never: "永久",
  days: "{n} 天",
  createLink: "创建链接",
  link: "链接",
  code: "提取码",
  copyLink: "复制链接和提取码",
  copied: "已复制",
  views: "浏览",
  saves: "保存",
  status: "状态",
  expires: "过期时间",
  update: "修改",
  cancelShare: "取消分享",
  statusNames: ["正常", "已封禁", "已取消", "已过期"],
  noShares: "还没有分享",
  sharedBy: "{name} 的分享",
  enterCode: "请输入提取码",
  view: "查看文件",
  saveToDrive: "保存到我的云盘",
  saved: "已保存 {n} 项",
  signInToSave: "登录后可保存到我的云盘",
  keyword: "搜索文件名",
  type: "类型",
  anyType: "全部类型",
  folders: "文件夹",
  files: "文件",
  minSize: "最小 (MB)",
  maxSize: "最大 (MB)",
  typeNames: { doc: "文档", image: "图片", video: "视频", audio: "音频", archive: "压缩包" } as Record<string, string>,
  inFolder: "仅当前文件夹",
  sortBy: "排序",
  relevance: "相关度",
  results: "共 {n} 个结果",
  location: "位置",
  noResults: "没有找到匹配的文件",
  language: "English",
  selectAll: "全选",
  selected: "已选 {n} 项",
  more: "更多操作",
  menu: "菜单",
  clearSelection: "取消选择",
  pageSelected: "已选中本页的 {n} 项。",
  selectAllN: "选择此文件夹的全部 {n} 项",
  allSelected: "已选中此文件夹的全部 {n} 项。",
  deletedN: "已把 {n} 项移到回收站",
  undo: "撤销",
  restored: "已还原",
  nameClash: "名称冲突",
  clashOne: "目标文件夹中已有 “{name}”。",
  clashMany: "目标文件夹中已有 “{name}” 等另外 {n} 个同名项目。",
  clashHint: "保留两者：新的一项名称后加 (1)；替换：原有的移到回收站；跳过：不处理这些项目。",
  keepBoth: "保留两者",
  replace: "替换",
  skip: "跳过",
  newVersion: "存为新版本",
  versions: "历史版本",
  versionsOf: "“{name}” 的历史版本",
  versionsHint: "恢复某个版本会生成一个新的当前版本，其他版本都会保留；历史版本占用存储空间。",
  versionTime: "时间",
  versionUploader: "上传者",
  versionCurrent: "当前版本",
  versionRestore: "恢复",
  versionRestored: "已恢复为新的当前版本",
  versionDeleted: "已删除该版本",
  conflict: "已有同名文件",
  forAll: "全部：",
  uploadsDone: "{done}/{total} 已完成",
  origin: "原位置",
};
export type Messages = typeof zh;

const en: Messages = {
  appName: "Polaris Drive",
  signIn: "Sign in",
  signUp: "Sign up",
  signOut: "Sign out",
  mobile: "Mobile",
  password: "Password",
  nickname: "Name (optional)",
  noAccount: "No account? Sign up",
  haveAccount: "Have an account? Sign in",
  drive: "My files",
  trash: "Recycle bin",
  myShares: "My shares",
  search: "Search",
  root: "All files",
  newFolder: "New folder",
  upload: "Upload files",
  uploadFolder: "Upload folder",
  rename: "Rename",
  move: "Move",
  copy: "Copy",
  delete: "Delete",
  share: "Share",
  download: "Download",
  open: "Open",
  name: "Name",
  size: "Size",
  modified: "Modified",
  created: "Created",
  actions: "Actions",
  empty: "Nothing here yet: drop files here to upload",
  loadMore: "Load more",
  items: "items",
  folderName: "Folder name",
  newName: "New name",
  ok: "OK",
  cancel: "Cancel",
  close: "Close",
  chooseTarget: "Choose a target folder",
  moveHere: "Move here",
  copyHere: "Copy here",
  confirmDelete: "Move the {n} selected item(s) to the recycle bin?",
  deleted: "Moved to the recycle bin",
  done: "Done",
  restore: "Restore",
  deleteForever: "Delete forever",
  emptyTrash: "Empty recycle bin",
  confirmEmpty: "Empty the recycle bin? This cannot be undone.",
  deletedAt: "Deleted",
  purgeAt: "Purged on",
  trashEmpty: "The recycle bin is empty",
  quota: "{used} used · {reserved} reserved · {total} total",
  quotaReservedHint:
    "Reserved: space held for uploads in progress; it counts as used once they finish and is freed when they are cancelled",
  dropHere: "Drop to upload",
  uploads: "Uploads",
  hashing: "Hashing",
  checking: "Checking",
  proving: "Proving",
  uploading: "Uploading",
  completing: "Completing",
  paused: "Paused",
  queued: "Queued",
  failed: "Failed",
  cancelled: "Cancelled",
  instantDone: "Instant upload",
  uploaded: "Uploaded",
  pause: "Pause",
  resume: "Resume",
  retry: "Retry",
  remove: "Remove",
  resumable: "Resumable uploads (choose the same file again to continue)",
  chooseFile: "Choose file to resume",
  clearFinished: "Clear finished",
  remaining: "{t} left",
  part: "Part",
  waitingNetwork: "Waiting for the network…",
  waitingServer: "The server does not answer, waiting for it…",
  retrying: "Upload interrupted, trying again…",
  partsKept: "What was uploaded is kept: press Retry to continue where it stopped.",
  sessionReleased: "The reserved space was released: Retry uploads the file again.",
  notSameFile: "This is not the same file: choose “{name}” ({size}, with the same modification time).",
  unexpectedError: "Something went wrong. Please try again.",
  fileUnreadable: "The file can no longer be read (moved or changed?). Please choose it again.",
  shareTitle: "Share “{name}”",
  withCode: "Extraction code",
  expiry: "Expires",
  never: "Never",
  days: "{n} days",
  createLink: "Create link",
  link: "Link",
  code: "Code",
  copyLink: "Copy link and code",
  copied: "Copied",
  views: "Views",
  saves: "Saves",
  status: "Status",
  expires: "Expires",
  update: "Update",
  cancelShare: "Cancel share",
  statusNames: ["Active", "Banned", "Cancelled", "Expired"],
  noShares: "No shares yet",
  sharedBy: "Shared by {name}",
  enterCode: "Enter the extraction code",
  view: "Open",
  saveToDrive: "Save to my drive",
  saved: "Saved {n} item(s)",
  signInToSave: "Sign in to save to your drive",
  keyword: "Search file names",
  type: "Type",
  anyType: "Any type",
  folders: "Folders",
  files: "Files",
  minSize: "Min (MB)",
  maxSize: "Max (MB)",
  typeNames: { doc: "Documents", image: "Images", video: "Videos", audio: "Audio", archive: "Archives" },
  inFolder: "Current folder only",
  sortBy: "Sort",
  relevance: "Relevance",
  results: "{n} results",
  location: "Location",
  noResults: "No matching files",
  language: "中文",
  selectAll: "Select all",
  selected: "{n} selected",
  more: "More actions",
  menu: "Menu",
  clearSelection: "Clear selection",
  pageSelected: "All {n} items on this page are selected.",
  selectAllN: "Select all {n} items in this folder",
  allSelected: "All {n} items in this folder are selected.",
  deletedN: "Moved {n} item(s) to the recycle bin",
  undo: "Undo",
  restored: "Restored",
  nameClash: "Name already taken",
  clashOne: "The target folder already has “{name}”.",
  clashMany: "The target folder already has “{name}” and {n} more with the same names.",
  clashHint: "Keep both: the new one gets “ (1)” added; Replace: the existing ones go to the recycle bin; Skip: leave those items out.",
  keepBoth: "Keep both",
  replace: "Replace",
  skip: "Skip",
  newVersion: "New version",
  versions: "Versions",
  versionsOf: "Versions of “{name}”",
  versionsHint: "Restoring a version makes it a new current version and keeps all the others; previous versions use storage space.",
  versionTime: "Time",
  versionUploader: "Uploaded by",
  versionCurrent: "Current",
  versionRestore: "Restore",
  versionRestored: "Restored as the new current version",
  versionDeleted: "Version deleted",
  conflict: "Name already taken",
  forAll: "All:",
  uploadsDone: "{done}/{total} done",
  origin: "Deleted from",
};

export const messages: Record<Lang, Messages> = { zh, en };

export function format(template: string, vars: Record<string, string | number> = {}) {
  return template.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? `{${k}}`));
}

export const initialLang = (): Lang => {
  const saved = localStorage.getItem("polaris.lang");
  if (saved === "zh" || saved === "en") return saved;
  return navigator.language?.toLowerCase().startsWith("zh") ? "zh" : "en";
};

export const LangContext = createContext<{ lang: Lang; t: Messages; setLang(l: Lang): void }>({
  lang: "zh",
  t: zh,
  setLang: () => undefined,
});
export const useI18n = () => useContext(LangContext);

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "-";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** English dates in the browser's own English (en-US, en-GB, en-IN…); Chinese ones in zh-CN. */
const englishLocale = () => navigator.languages?.find((l) => /^en\b/i.test(l)) ?? "en-US";

export const formatTime = (unix: number, lang: Lang) =>
  unix ? new Date(unix * 1000).toLocaleString(lang === "zh" ? "zh-CN" : englishLocale(), { dateStyle: "short", timeStyle: "short" }) : "–";
