import { randomBytes } from "node:crypto";
import { startTestApp, type TestApp } from "./app";
import { up } from "@polaris/infra-local/services";

/**
 * The embedded profile with search on the local OpenSearch node, under an index alias of its own
 * (fresh databases reuse ids, so apps must not share documents); the indices go when it closes.
 */
export async function startOpenSearchApp(env: Record<string, string> = {}): Promise<TestApp & { opensearchUrl: string }> {
  const { opensearch } = await up(["opensearch"]);
  const url = opensearch!.url;
  const alias = `polaris-files-test-${randomBytes(4).toString("hex")}`;
  const app = await startTestApp({ OPENSEARCH_URL: url, OPENSEARCH_INDEX: alias, ...env });
  return {
    ...app,
    opensearchUrl: url,
    async close() {
      await app.close();
      await fetch(`${url}/${alias}-v*`, { method: "DELETE" });
    },
  };
}
