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

/**
 * A name split where its " (n)" suffix goes: a file's stem and extension (with its dot, as typed) at
 * the last dot that is neither its first character nor its last (".env", "notes." and "a" have no
 * extension); a folder's whole name is its stem ("v1.2" → "v1.2 (1)").
 */
export function splitName(name: string, isDir: boolean): { stem: string; ext: string } {
  const dot = isDir ? -1 : name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? { stem: name.slice(0, dot), ext: name.slice(dot) } : { stem: name, ext: "" };
}

/**
 * "a.txt" → "a (1).txt", ".env" → ".env (1)", folder "v1.2" → "v1.2 (1)". The stem is cut (by whole
 * code points) to keep within 255; an extension too long to leave any stem is treated as stem.
 */
export function suffixed(name: string, n: number, isDir: boolean): string {
  let { stem, ext } = splitName(name, isDir);
  if (stem.length + ` (${n})`.length + ext.length > 255 && ` (${n})`.length + ext.length > 254) [stem, ext] = [name, ""];
  const suffix = ` (${n})${ext}`;
  if (stem.length + suffix.length <= 255) return `${stem}${suffix}`;
  const points = [...stem];
  let cut = "";
  for (const p of points) {
    if (cut.length + p.length + suffix.length > 255) break;
    cut += p;
  }
  return `${cut.trimEnd() || cut}${suffix}`;
}
