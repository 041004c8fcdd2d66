import { opsRoutes } from "@polaris/contract";
import { httpHandler } from "@polaris/runtime";
import { docsPage, docsPagePolicy } from "@polaris/runtime/docs-page";

export const handler = httpHandler(opsRoutes.docs, async () => docsPage(), { contentSecurityPolicy: docsPagePolicy });
