import { opsRoutes } from "@polaris/contract";
import { httpHandler } from "@polaris/runtime";
import { docsAsset } from "@polaris/runtime/docs-page";

export const handler = httpHandler(opsRoutes.docsAsset, async ({ query, header }) => {
  const asset = docsAsset(query.file);
  header("content-type", asset.contentType);
  // The page names the viewer's version in the URL: another version is another URL.
  header("cache-control", query.v ? "public, max-age=31536000, immutable" : "no-cache");
  return asset.body;
});
