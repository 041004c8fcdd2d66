import { PROFILES, settings, type Setting } from "./config";

/** The README's table sits between these lines; `npm run docs:config` rewrites what is between them. */
export const TABLE_START = "<!-- configuration: generated from packages/runtime/src/config.ts by `npm run docs:config` -->";
export const TABLE_END = "<!-- end of configuration -->";

const units = [
  [1024 ** 3, "GiB"],
  [1024 ** 2, "MiB"],
  [1024, "KiB"],
] as const;
const bytes = (n: number) => {
  const unit = units.find(([size]) => n % size === 0);
  return unit ? `${n / unit[0]} ${unit[1]}` : `${n} B`;
};

/** Durations in the unit a reader thinks in: 900 s is "15 min", 86,400 s "24 h", 2,592,000 s "30 days". */
const duration = (ms: number) => {
  if (ms === 0) return "0";
  if (ms % 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s % 86400 === 0 && s >= 2 * 86400) return `${s / 86400} days`;
  if (s % 3600 === 0) return `${s / 3600} h`;
  if (s % 60 === 0 && s >= 120) return `${s / 60} min`;
  return `${s} s`;
};

/** The schema's own default, in the setting's unit (its name says which). */
function shownDefault(name: string, { schema, shownDefault }: Setting): string {
  if (shownDefault !== undefined) return shownDefault;
  const def = schema._zod.def as { type: string; defaultValue?: unknown };
  if (def.type !== "default") return "–";
  const value = def.defaultValue;
  if (typeof value !== "number") return `\`${String(value)}\``;
  if (name.endsWith("_BYTES")) return bytes(value);
  if (name.endsWith("_SECONDS")) return duration(value * 1000);
  if (name.endsWith("_MS")) return duration(value);
  return String(value);
}

const profileNames = { embedded: "embedded", parity: "parity", aws: "AWS" } as const;
const cell = (text: string) => text.replaceAll("|", "\\|");

/** The README's configuration table: one row per setting, in declaration order. */
export function configurationTable(): string {
  const rows = Object.entries(settings as Record<string, Setting>).map(([name, s]) => {
    const profiles = s.profiles.length === PROFILES.length ? "all" : s.profiles.map((p) => profileNames[p]).join(", ");
    return `| \`${name}\` | ${cell(shownDefault(name, s))} | ${profiles} | ${cell(s.meaning)} |`;
  });
  return ["| variable | default | profiles | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** The README with its configuration table regenerated; throws unless it has both markers, in order. */
export function withConfigurationTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md needs the lines ${TABLE_START} and ${TABLE_END} around its configuration table`);
  // Blank lines keep the table a block of its own, apart from the markers, in any markdown renderer.
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${configurationTable()}\n\n${readme.slice(end)}`;
}
