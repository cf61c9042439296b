// The enterprise extension's manager.value (RFC 7643 4.3) is the id of a User of the same
// organization: the resource builds its $ref from it, so any other text would build a URL that
// points elsewhere (`../../Users/x`) or names a user of another tenant.
import type { SqlTx } from "../../db/client";
import { isUuid } from "../../shared/ids";
import { invalidValue } from "../schema/canonical";
import { ENTERPRISE_SCHEMA } from "../schema/attributes";

/** The manager id as stored (lower-cased), or invalidValue. */
export async function checkedManager(
  db: SqlTx,
  orgId: string,
  managerId: string | null,
): Promise<string | null> {
  if (managerId === null) return null;
  const refuse = (why: string) => invalidValue(`${ENTERPRISE_SCHEMA}:manager.value: ${why}`);
  if (!isUuid(managerId)) throw refuse(`"${managerId}" is not the id of a User`);
  const id = managerId.toLowerCase();
  const found = await db.$queryRaw<
    unknown[]
  >`SELECT 1 FROM users WHERE id = ${id}::uuid AND org_id = ${orgId}::uuid`;
  if (found.length === 0) throw refuse(`no User has the id ${managerId}`);
  return id;
}
