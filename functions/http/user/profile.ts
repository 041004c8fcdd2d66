import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.profile, ({ body, userId, deps }) => Users.updateProfile(deps, userId, body));
