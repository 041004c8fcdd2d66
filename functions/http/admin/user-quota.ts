import { adminRoutes } from "@polaris/contract";
import { Admin } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(adminRoutes.setQuota, ({ body, userId, deps }) => Admin.setQuota(deps, userId, body));
