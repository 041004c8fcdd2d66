#!/usr/bin/env node
// The `polaris` command (`npx polaris …`): runs the TypeScript sources through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main();
