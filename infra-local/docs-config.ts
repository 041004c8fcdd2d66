import { readFileSync, writeFileSync } from "node:fs";
import { withConfigurationTable } from "@polaris/runtime/config-table";

// `npm run docs:config`: rewrites the README's configuration table from packages/runtime/src/config.ts.
const readme = new URL("../README.md", import.meta.url);
writeFileSync(readme, withConfigurationTable(readFileSync(readme, "utf8")));
