import { adminRoutes } from "@polaris/contract";
import { Admin } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(adminRoutes.users, ({ query, deps }) => Admin.listUsers(deps, query));
