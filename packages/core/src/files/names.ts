import { fail } from "../errors";

// Control characters (C0, DEL, C1) and path separators never belong in a name.
const forbidden = /[\u0000-\u001f\u007f-\u009f/\\]/;

/** Checks a user-given name against API.md's rules and returns it normalised to NFC. */
export function validName(raw: string): string {
  const name = raw.normalize("NFC");
  if (name.length < 1 || name.length > 255) fail("INVALID_FILE_NAME", "invalid file name: must be 1–255 characters");
  if (forbidden.test(name)) fail("INVALID_FILE_NAME", "invalid file name: no '/', '\\', NUL or control characters");
  if (name === "." || name === "..") fail("INVALID_FILE_NAME", "invalid file name: '.' and '..' are reserved");
  if (name.trim() !== name || name.trim() === "") fail("INVALID_FILE_NAME", "invalid file name: no leading or trailing spaces");
  return name;
}

/** The extension, lower-cased and without the dot ("" for none or for dot-files). */
export function extensionOf(name: string, isDir: boolean): string {
  if (isDir) return "";
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase().slice(0, 32) : "";
}

/** "a.txt" → "a (1).txt", "a (1).txt" → "a (2).txt" style candidates. */
export function suffixed(name: string, n: number, isDir: boolean): string {
  const ext = isDir ? "" : extensionOf(name, false);
  const stem = ext ? name.slice(0, name.length - ext.length - 1) : name;
  const candidate = `${stem} (${n})${ext ? name.slice(name.length - ext.length - 1) : ""}`;
  return candidate.length <= 255 ? candidate : `${stem.slice(0, 255 - candidate.length + stem.length)} (${n})${ext ? `.${ext}` : ""}`;
}
