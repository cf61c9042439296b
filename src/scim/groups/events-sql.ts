// The audit event and outbox event of a SCIM change to a group, through the event catalogue's
// eventsCte, as data-modifying CTEs of the statement that makes the change: the group object is
// built from the row the statement wrote (or deleted), `group_row` / `gone` aliased g.
import { Prisma } from "../../generated/prisma/client";
import { eventsCte, groupObjectSql } from "../../events";
import type { ScimCtx } from "../context";

export type GroupAction = "group.created" | "group.updated" | "group.deleted";

/** What a group change's audit record says besides via and displayName. */
export interface GroupEventData {
  membersAdded?: string[];
  membersRemoved?: string[];
  /** The names a rename changed (displayName, externalId). */
  changed?: string[];
}

/**
 * `, events AS (...), events_audited AS (...), events_queued AS (...)` over `from` (the group's
 * row as g). `memberCount`: the group's members after the statement (its snapshot does not see
 * its own changes); by default, as the snapshot sees them.
 */
export function groupEventsCtes(
  ctx: ScimCtx,
  action: GroupAction,
  from: Prisma.Sql,
  displayName: string,
  data: GroupEventData,
  memberCount?: Prisma.Sql,
): Prisma.Sql {
  const audit = { via: "scim", displayName, ...data };
  const members =
    action === "group.deleted"
      ? Prisma.empty
      : Prisma.sql` || jsonb_build_object('membersAdded', ${JSON.stringify(data.membersAdded ?? [])}::jsonb,
          'membersRemoved', ${JSON.stringify(data.membersRemoved ?? [])}::jsonb)`;
  return eventsCte(ctx, "events", [
    {
      action,
      from,
      targetId: Prisma.sql`g.id::text`,
      data: Prisma.sql`${JSON.stringify(audit)}::jsonb`,
      payload: Prisma.sql`${groupObjectSql("g", memberCount)}${members}`,
    },
  ]);
}
