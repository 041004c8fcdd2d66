import type { AddressInfo } from "node:net";
import { createDeps, setDeps, type AppDeps } from "@polaris/runtime";
import { createGateway } from "./gateway";

export interface RunningApp {
  url: string;
  deps: AppDeps;
  close(): Promise<void>;
}

/**
 * Starts the embedded profile in this process: dependencies from `env` (PGlite unless DATABASE_URL
 * is set) and the local gateway on `host:port` (port 0 picks a free one).
 */
export async function startEmbedded(env: Record<string, string | undefined>, port = 0, host = "127.0.0.1"): Promise<RunningApp> {
  const deps = await createDeps(env);
  setDeps(deps);
  const server = createGateway();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${boundPort}`,
    deps,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.close();
    },
  };
}
