import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { tsImport } from "tsx/esm/api";

// Vite bundles this file but leaves packages to Node, which cannot load the contract's TypeScript: tsx loads it.
const { routeTable } = (await tsImport("@polaris/contract", import.meta.url)) as typeof import("@polaris/contract");
const { endpointsOf } = (await tsImport("@polaris/contract/client", import.meta.url)) as typeof import("@polaris/contract/client");

// `VITE_API_URL` (read at build time) points a console deployed as a static site at its API;
// without it the console talks to the origin that served it (the local gateway serves both).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  // The typed client's methods, paths and auth, from the route table: the bundle gets them without zod.
  define: { __POLARIS_ENDPOINTS__: JSON.stringify(endpointsOf(routeTable)) },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  worker: { format: "es" },
  server: {
    // `npm run dev -w @polaris/web` against a gateway on :8888
    proxy: Object.fromEntries(
      [...new Set(Object.values(routeTable).map((r) => `/${r.path.split("/")[1]}`))].map((p) => [p, "http://127.0.0.1:8888"]),
    ),
  },
});
