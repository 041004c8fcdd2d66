import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Where a test's database lives: PGlite in memory by default, or a fresh database on the
 * PostgreSQL server named by POLARIS_TEST_DATABASE_URL (the orchestrator sets it for the PostgreSQL pass).
 */
export async function freshDatabaseEnv(
  serverUrl = process.env.POLARIS_TEST_DATABASE_URL,
): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (!serverUrl) return { env: { PGLITE_DIR: "memory" }, drop: async () => undefined };
  const name = `polaris_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        // FORCE may not end a backend of another role (an autovacuum worker on a busy machine:
        // 42501), and a backend may still be on its way out (55006): both pass within moments.
        for (let attempt = 1; ; attempt++) {
          try {
            await client.query(`drop database if exists ${name} with (force)`);
            return;
          } catch (error) {
            const code = (error as { code?: string }).code;
            if (attempt >= 40 || (code !== "42501" && code !== "55006")) throw error;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      } finally {
        await client.end();
      }
    },
  };
}
