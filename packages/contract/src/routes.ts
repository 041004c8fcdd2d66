import type { RouteDef } from "./route";
import { adminRoutes } from "./admin";
import { compatRoutes } from "./compat";
import { fileRoutes } from "./files";
import { opsRoutes } from "./ops";
import { searchRoutes } from "./search";
import { shareRoutes } from "./shares";
import { userRoutes } from "./users";
import { zipRoutes } from "./zip";
import { previewRoutes } from "./previews";

type Prefixed<Area extends string, T> = { [Name in keyof T & string as `${Area}.${Name}`]: T[Name] };
const prefixed = <Area extends string, T extends Record<string, RouteDef<any, any, any>>>(area: Area, routes: T) =>
  Object.fromEntries(Object.entries(routes).map(([name, route]) => [`${area}.${name}`, route])) as Prefixed<Area, T>;

const routes = {
  ...prefixed("ops", opsRoutes),
  ...prefixed("user", userRoutes),
  ...prefixed("file", fileRoutes),
  ...prefixed("share", shareRoutes),
  ...prefixed("search", searchRoutes),
  ...prefixed("admin", adminRoutes),
  ...prefixed("zip", zipRoutes),
  ...prefixed("preview", previewRoutes),
  ...prefixed("compat", compatRoutes),
};
/** Every route by name with its schemas' types: the typed client (`@polaris/contract/client`) reads it. */
export type Routes = typeof routes;

/** The single route table: the local gateway, the API stack and the OpenAPI document all read it. */
export const routeTable: Record<string, RouteDef> = routes;
