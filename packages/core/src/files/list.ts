import { sql, type RawBuilder } from "kysely";
import type { QueryOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { fileItemsOf } from "../thumbnails/urls";
import { fileItemQuery, resolveFolder } from "./tree";

type ListQuery = QueryOf<typeof fileRoutes.list>;

/** Natural, case-insensitive name order (migration 0013, which indexes this very expression). */
export const nameOrder = (name: RawBuilder<unknown> | ReturnType<typeof sql.ref>) => sql`polaris_name_key(${name}) collate polaris_name`;

const sortColumns = { name: "name", size: "size", create_time: "created_at", update_time: "updated_at" } as const;

/** Cursor = the last row's (is_dir, sort value, id), opaque to clients. */
const encodeCursor = (values: [boolean, unknown, number]) => Buffer.from(JSON.stringify(values)).toString("base64url");
/** Latest instant a cursor may name: 9999-12-31T23:59:59.999Z (PostgreSQL and JS dates both hold it). */
const maxTime = 253402300799999;

/**
 * A cursor back to its (is_dir, sort value, id), or 400 for anything this server could not have
 * issued for this order: the value's type must be the sort column's (a string for a name, a
 * non-negative safe integer for a size, a millisecond instant within 1970..9999 for a time) and the id
 * a positive safe integer; a wrong type reached the database and answered 500.
 */
function decodeCursor(cursor: string, column: (typeof sortColumns)[keyof typeof sortColumns]): [boolean, string | number, number] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value) && value.length === 3 && typeof value[0] === "boolean" && Number.isSafeInteger(value[2]) && value[2] > 0) {
    const v: unknown = value[1];
    const ok =
      column === "name"
        ? // No issued cursor holds a NUL (names cannot), and PostgreSQL would refuse one as a parameter.
          typeof v === "string" && v.length <= 1024 && !v.includes("\u0000") && !/[\uD800-\uDFFF]/u.test(v)
        : column === "size"
          ? Number.isSafeInteger(v) && (v as number) >= 0
          : Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= maxTime;
    if (ok) return value as [boolean, string | number, number];
  }
  return fail("INVALID_PARAMETER", "参数错误: cursor is not a cursor this server issued");
}

export async function list(deps: CoreDeps, userId: number, query: ListQuery) {
  const parentId = await resolveFolder(deps.db, userId, query.parentId);
  const column = sortColumns[query.orderBy];
  const desc = query.order === "desc";
  const base = fileItemQuery(deps.db).where("f.user_id", "=", userId).where("f.parent_id", "=", parentId).where("f.status", "=", "active");

  const direction = desc ? "desc" : "asc";
  const sortKey = column === "name" ? nameOrder(sql.ref("f.name")) : sql.ref(`f.${column}`);
  const ordered = (q: typeof base) => q.orderBy(sortKey, direction).orderBy("f.id", direction);
  const totalQuery = deps.db
    .selectFrom("folder_counts")
    .select("active_children")
    .where("user_id", "=", userId)
    .where("parent_id", "=", parentId)
    .executeTakeFirst();
  let rows: Awaited<ReturnType<typeof base.execute>>;
  let total: Awaited<typeof totalQuery>;
  if (query.cursor) {
    const [isDir, value, id] = decodeCursor(query.cursor, column);
    const sortValue = column === "created_at" || column === "updated_at" ? new Date(Number(value)) : value;
    // Folders first, then (sort value, id) in the requested direction. Each part fixes is_dir, so the
    // row-value comparison is a range of the list index in either direction; an OR over is_dir made
    // every page read the folder from its start, and a descending order sorted the whole folder.
    const bound = column === "name" ? nameOrder(sql`${sortValue}::text`) : sql`${sortValue}`;
    const after = desc ? sql<boolean>`(${sortKey}, f.id) < (${bound}, ${id})` : sql<boolean>`(${sortKey}, f.id) > (${bound}, ${id})`;
    const need = query.pageSize + 1;
    let first: typeof rows;
    [first, total] = await Promise.all([
      ordered(base.where("f.is_dir", "=", isDir).where(after))
        .limit(need)
        .execute(),
      totalQuery,
    ]);
    rows =
      isDir && first.length < need
        ? [
            ...first,
            ...(await ordered(base.where("f.is_dir", "=", false))
              .limit(need - first.length)
              .execute()),
          ]
        : first;
  } else {
    [rows, total] = await Promise.all([
      ordered(base.orderBy("f.is_dir", "desc"))
        .offset((query.page - 1) * query.pageSize)
        .limit(query.pageSize + 1)
        .execute(),
      totalQuery,
    ]);
  }
  const hasMore = rows.length > query.pageSize;
  const pageRows = rows.slice(0, query.pageSize);
  const last = pageRows[pageRows.length - 1];
  const lastValue = last ? last[column] : undefined;
  return {
    list: await fileItemsOf(deps, pageRows),
    total: Number(total?.active_children ?? 0),
    page: query.cursor ? 0 : query.page,
    pageSize: query.pageSize,
    ...(hasMore && last
      ? { nextCursor: encodeCursor([last.is_dir, lastValue instanceof Date ? lastValue.getTime() : lastValue, last.id]) }
      : {}),
  };
}
