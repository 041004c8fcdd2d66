import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { isUniqueViolation } from "../db/errors";
import { fail } from "../errors";
import { countRecordedEvent } from "../events";
import { validName } from "./names";
import { toFileItem } from "./tree";

/**
 * Creates a folder under the user's tree lock (so the parent cannot go to the recycle bin between the
 * check and the insert) with its file.created event, in one statement: the database function of
 * migration 0012 takes the lock, checks that the parent is an active folder of the user, inserts the
 * folder and its outbox row, and answers the new row with the parent's identity as stored.
 */
export async function createFolder(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.createFolder>) {
  const name = validName(input.name);
  const ref = input.parentId;
  const [parentIdentity, parentId] = !ref || ref === "0" ? [null, null] : typeof ref === "number" ? [null, ref] : [ref, null];
  try {
    const { rows } = await sql<
      Parameters<typeof toFileItem>[0]
    >`select * from polaris_create_folder(${userId}, ${parentIdentity}, ${parentId}, ${randomUUID()}, ${name})`.execute(deps.db);
    if (!rows[0]) fail("PARENT_NOT_FOUND");
    countRecordedEvent();
    const file = toFileItem(rows[0]);
    return { identity: file.identity, file };
  } catch (err) {
    if (isUniqueViolation(err)) fail("NAME_CONFLICT");
    throw err;
  }
}
