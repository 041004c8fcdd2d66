import { resolve } from "node:path";
import { Admin } from "@polaris/core";
import { createDeps, loadConfig } from "@polaris/runtime";
import { startLocalPostgres, type LocalPostgres } from "@polaris/local/database/local-postgres";

const usage = "usage: npm run admin -- grant <mobile> | revoke <mobile> | list";

/**
 * `npm run admin -- grant <mobile>`: makes an account an administrator (revoke: a user again; list: who
 * is), with the app's environment. DATABASE_URL (any PostgreSQL: parity, Aurora through a tunnel) or
 * PGLITE_DIR name the database; neither: the embedded profile's own server in POLARIS_HOME, which
 * `npm start` must not be running on (its server serves one app at a time).
 */
async function main(argv: string[]) {
  const [command, mobile] = argv;
  if (!((command === "grant" || command === "revoke") && mobile) && command !== "list") throw new Error(usage);
  const config = loadConfig(process.env);
  let server: LocalPostgres | undefined;
  if (!config.DATABASE_URL && config.PGLITE_DIR === undefined)
    server = await startLocalPostgres(resolve(config.POLARIS_HOME), { maxConnections: 5 });
  const deps = await createDeps({ ...process.env, ...(server ? { DATABASE_URL: server.url } : {}) });
  try {
    if (command === "list") {
      const { list } = await Admin.listUsers(deps, { page: 1, pageSize: 1000 });
      for (const user of list.filter((u) => u.role === "admin")) console.log(`${user.mobile}  ${user.name}`);
      return;
    }
    const { user } = await Admin.setRole(deps, null, { mobile: mobile!, role: command === "grant" ? "admin" : "user" });
    console.log(`${user.mobile} is ${user.role === "admin" ? "an administrator" : "a user"}`);
  } finally {
    await deps.close();
    await server?.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
