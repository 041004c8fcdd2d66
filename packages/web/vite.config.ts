import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `VITE_API_URL` (read at build time) points a console deployed as a static site at its API;
// without it the console talks to the origin that served it (the local gateway serves both).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
  worker: { format: "es" },
  server: {
    // `npm run dev -w @polaris/web` against a gateway on :8888
    proxy: Object.fromEntries(["/usercenter", "/file", "/share", "/search", "/healthz"].map((p) => [p, "http://127.0.0.1:8888"])),
  },
});
