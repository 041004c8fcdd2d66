/**
 * Syntax highlighting of text previews: highlight.js's core with the languages people keep in a
 * drive, loaded only when a text preview opens (its own chunk). Its output escapes the text, so the
 * markup it returns holds no element of the file's own.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const languages = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  markdown,
  php,
  plaintext,
  python,
  ruby,
  rust,
  sql,
  swift,
  typescript,
  xml,
  yaml,
};
for (const [name, language] of Object.entries(languages)) hljs.registerLanguage(name, language);

/** Extensions the languages' own aliases do not cover. */
const byExtension: Record<string, string> = {
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascript",
  mts: "typescript",
  cts: "typescript",
  tsx: "typescript",
  htm: "xml",
  html: "xml",
  svg: "xml",
  vue: "xml",
  toml: "ini",
  cfg: "ini",
  conf: "ini",
  properties: "ini",
  env: "bash",
  zsh: "bash",
  jsonl: "json",
  patch: "diff",
  kts: "kotlin",
};

/** The text as highlighted HTML (escaped), in the language of its extension; plain escaped text for the rest. */
export function highlight(text: string, ext: string): string {
  const e = ext.toLowerCase();
  const language = byExtension[e] ?? (hljs.getLanguage(e) ? e : undefined);
  return hljs.highlight(text, { language: language ?? "plaintext", ignoreIllegals: true }).value;
}
