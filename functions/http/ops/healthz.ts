import { opsRoutes } from "@polaris/contract";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(opsRoutes.healthz, async () => ({ status: "ok" as const }));
