import { adminRoutes } from "@polaris/contract";
import { Admin } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(adminRoutes.setDisabled, ({ body, userId, deps }) => Admin.setDisabled(deps, userId, body));
