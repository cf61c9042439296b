// A groups row as a SCIM Group resource (RFC 7643 4.2): members only when they were loaded
// (excludedAttributes=members never loads them), meta with this organization's location.
import { weakEtag, type ScimCtx } from "../context";
import { GROUP_SCHEMA } from "../schema/attributes";
import type { Doc } from "../schema/canonical";
import type { Group } from "../../generated/prisma/client";

export interface MemberRef {
  userId: string;
  user: { userName: string; displayName: string | null };
}

export function presentGroup(ctx: Pick<ScimCtx, "baseUrl">, group: Group, members?: MemberRef[]): Doc {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    ...(members
      ? {
          members: members.map((m) => ({
            value: m.userId,
            display: m.user.displayName ?? m.user.userName,
            $ref: `${ctx.baseUrl}/Users/${m.userId}`,
            type: "User",
          })),
        }
      : {}),
    meta: {
      resourceType: "Group",
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${ctx.baseUrl}/Groups/${group.id}`,
      version: weakEtag(group.version),
    },
  };
}
