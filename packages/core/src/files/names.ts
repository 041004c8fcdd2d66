import { fileNameRule } from "@polaris/contract";
import { fail } from "../errors";

const { maxLength } = fileNameRule;
const codePoints = (s: string) => [...s].length;
const unicodeName = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Checks a user-given name against API.md's rules (the contract's `fileNameRule`) and returns it normalised to NFC. */
export function validName(raw: string): string {
  const name = raw.normalize("NFC");
  // Counted as sent too, so a name the schema's maxLength refuses is refused here whatever NFC makes of it.
  const length = Math.max(codePoints(raw), codePoints(name));
  if (length < 1 || length > maxLength)
    fail("INVALID_FILE_NAME", `invalid file name: must be 1–${maxLength} characters (this one has ${length})`);
  if (fileNameRule.controlOrSeparator.test(name)) fail("INVALID_FILE_NAME", "invalid file name: no '/', '\\', NUL or control characters");
  const invisible = fileNameRule.invisible.exec(name);
  if (invisible)
    fail("INVALID_FILE_NAME", `invalid file name: contains an invisible or direction-changing character ${unicodeName(invisible[0])}`);
  if (name === "." || name === "..") fail("INVALID_FILE_NAME", "invalid file name: '.' and '..' are reserved");
  if (name.trim() !== name || name.trim() === "") fail("INVALID_FILE_NAME", "invalid file name: no leading or trailing spaces");
  return name;
}

/** The extension, lower-cased and without the dot ("" for none or for dot-files). */
export function extensionOf(name: string, isDir: boolean): string {
  if (isDir) return "";
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1
    ? name
        .slice(dot + 1)
        .toLowerCase()
        .slice(0, 32)
    : "";
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
 * code points) to keep within the length limit; an extension too long to leave any stem is treated as stem.
 */
export function suffixed(name: string, n: number, isDir: boolean): string {
  let { stem, ext } = splitName(name, isDir);
  if (codePoints(` (${n})${ext}`) >= maxLength) [stem, ext] = [name, ""];
  const suffix = ` (${n})${ext}`;
  const points = [...stem];
  const room = maxLength - codePoints(suffix);
  if (points.length <= room) return `${stem}${suffix}`;
  const cut = points.slice(0, room).join("");
  return `${cut.trimEnd() || cut}${suffix}`;
}
