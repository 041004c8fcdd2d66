import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.changePassword, ({ body, userId, deps }) => Users.changePassword(deps, userId, body));
