import { adminRoutes } from "@polaris/contract";
import { Admin } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(adminRoutes.shareBan, ({ body, userId, deps }) => Admin.banShare(deps, userId, body));
