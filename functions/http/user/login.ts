import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.login, ({ body, clientAddress, deps }) => Users.login(deps, { ...body, clientAddress }));
