import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.logout, ({ body, claims, deps }) => Users.logout(deps, claims, body.all ?? false));
