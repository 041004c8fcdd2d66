import { opsRoutes } from "@polaris/contract";
import { buildOpenApiDocument } from "@polaris/contract/openapi";
import { httpHandler } from "@polaris/runtime";

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const handler = httpHandler(opsRoutes.openapi, async () => (document ??= buildOpenApiDocument()));
