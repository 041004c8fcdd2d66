import { parseArgs } from "node:util";
import { Search } from "@polaris/core";
import { createDeps } from "@polaris/runtime";

function parseTarget(argv: string[]): Search.ReindexTarget {
  const { values } = parseArgs({ args: argv, options: { user: { type: "string" }, all: { type: "boolean" } } });
  if (values.all && values.user === undefined) return { all: true };
  const userId = Number(values.user);
  if (!values.all && Number.isSafeInteger(userId) && userId > 0) return { userId };
  throw new Error("usage: npm run reindex -- --user <id> | --all");
}

// `npm run reindex -- --user <id> | --all`, with the same environment as the app (DATABASE_URL, OPENSEARCH_URL, …);
// the use case is core's Search.reindex.
try {
  const target = parseTarget(process.argv.slice(2));
  const deps = await createDeps(process.env);
  try {
    console.log(JSON.stringify(await Search.reindex(deps, target)));
  } finally {
    await deps.close();
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
