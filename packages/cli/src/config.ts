import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const DEFAULT_API = "http://127.0.0.1:8888";

/** `$XDG_CONFIG_HOME/polaris` (or `~/.config/polaris`). */
export const configDir = () => join(process.env.XDG_CONFIG_HOME || join(homedir(), ".config"), "polaris");

export interface Credentials {
  token: string;
  mobile: string;
  accessExpire: number;
  refreshAfter?: number;
}
type CredentialsFile = { servers: Record<string, Credentials> };

function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return fallback;
  }
}

/** Writes a private file (0600) atomically, in a 0700 folder. */
function writePrivate(file: string, data: unknown) {
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

const credentialsFile = () => join(configDir(), "credentials.json");
export const normalizeApi = (api: string) => api.replace(/\/+$/, "");

export function loadCredentials(api: string): Credentials | undefined {
  const all = readJson<CredentialsFile>(credentialsFile(), { servers: {} });
  return all.servers?.[normalizeApi(api)];
}
export function saveCredentials(api: string, creds: Credentials | undefined) {
  const all = readJson<CredentialsFile>(credentialsFile(), { servers: {} });
  all.servers ??= {};
  if (creds) all.servers[normalizeApi(api)] = creds;
  else delete all.servers[normalizeApi(api)];
  writePrivate(credentialsFile(), all);
}

/**
 * Upload sessions to resume, keyed by server, local file (path, size, mtime, SHA-256) and target
 * folder; a session past its expiry is dropped as it is read (the server has released it).
 */
export interface SavedUpload {
  uploadKey: string;
  hash: string;
  partSize?: number;
  mode: "single" | "multipart";
  path: string;
  parentId: string;
  /** Unix seconds. */
  expiresAt: number;
  savedAt: number;
}
const uploadsFile = () => join(configDir(), "uploads.json");
export function loadUploads(): Record<string, SavedUpload> {
  const now = Date.now() / 1000;
  return Object.fromEntries(
    Object.entries(readJson<Record<string, SavedUpload>>(uploadsFile(), {})).filter(([, s]) => !(s.expiresAt < now)),
  );
}
export function saveUpload(key: string, value: SavedUpload | undefined) {
  const all = loadUploads();
  if (value) all[key] = value;
  else delete all[key];
  writePrivate(uploadsFile(), all);
}
