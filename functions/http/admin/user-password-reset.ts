import { adminRoutes } from "@polaris/contract";
import { Admin } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(adminRoutes.passwordReset, ({ body, userId, deps }) => Admin.resetPassword(deps, userId, body));
