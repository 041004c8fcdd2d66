import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { settings } from "./config";
import { configurationTable, withConfigurationTable } from "./config-table";

const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");

describe("the README's configuration table", () => {
  it("is the one generated from the declaration (after a change to config.ts: npm run docs:config)", () => {
    expect(readme).toBe(withConfigurationTable(readme));
  });

  it("has a row per setting, defaults in their units", () => {
    const table = configurationTable();
    for (const name of Object.keys(settings)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain("| `DEFAULT_QUOTA_BYTES` | 10 GiB | all |");
    expect(table).toContain("| `LOGIN_WINDOW_SECONDS` | 15 min | all |");
    expect(table).toContain("| `DATABASE_URL` | – | all |");
    expect(table).toContain("| `PGLITE_DIR` | – | embedded |");
  });
});
