import type { RouteDef } from "./route";
import { fileRoutes } from "./files";
import { opsRoutes } from "./ops";
import { searchRoutes } from "./search";
import { shareRoutes } from "./shares";
import { userRoutes } from "./users";

const prefixed = <T extends Record<string, RouteDef<any, any, any>>>(area: string, routes: T) =>
  Object.fromEntries(Object.entries(routes).map(([name, route]) => [`${area}.${name}`, route])) as Record<string, RouteDef>;

/** The single route table: the local gateway, the API stack and the OpenAPI document all read it. */
export const routeTable: Record<string, RouteDef> = {
  ...prefixed("ops", opsRoutes),
  ...prefixed("user", userRoutes),
  ...prefixed("file", fileRoutes),
  ...prefixed("share", shareRoutes),
  ...prefixed("search", searchRoutes),
};
