// A users row as a SCIM User resource (RFC 7643 4.1, 8.7.1): the canonical document plus id,
// schemas, groups (read-only, when asked for) and meta with this organization's location and
// the row version as a weak ETag.
import type { ScimCtx } from "../context";
import { weakEtag } from "../context";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "../schema/attributes";
import type { Doc } from "../schema/canonical";
import { documentOfUser, type UserRow } from "./document";

export interface GroupRef {
  id: string;
  displayName: string;
}

export function presentUser(ctx: Pick<ScimCtx, "baseUrl">, user: UserRow, groups?: GroupRef[]): Doc {
  const doc = documentOfUser(user);
  const enterprise = doc[ENTERPRISE_SCHEMA] as Doc | undefined;
  const manager = enterprise?.manager as Doc | undefined;
  if (manager && typeof manager.value === "string")
    enterprise!.manager = { ...manager, $ref: `${ctx.baseUrl}/Users/${manager.value}` };
  return {
    schemas: enterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...doc,
    ...(groups
      ? {
          groups: groups.map((g) => ({
            value: g.id,
            display: g.displayName,
            $ref: `${ctx.baseUrl}/Groups/${g.id}`,
            type: "direct",
          })),
        }
      : {}),
    meta: {
      resourceType: "User",
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${ctx.baseUrl}/Users/${user.id}`,
      version: weakEtag(user.version),
    },
  };
}
