// emit(): the one way a change writes its audit row and, where the catalogue says so, its
// outbox row, in the caller's transaction (a Prisma transaction client or a driver
// transaction: both are a SqlTx). The audit data is checked against the action's schema here;
// the outbox payload is built in the same statement from the subject's row as the transaction
// sees it (sql.ts), so it is the same object whoever caused the event. Emit a deletion's event
// before deleting the row.
import { Prisma } from "../generated/prisma/client";
import type { SqlTx } from "../db/client";
import type { Ctx } from "../shared/context";
import type { Role } from "../generated/prisma/enums";
import { AUDIT_ACTIONS, type AuditAction, type AuditData, type EventsOf } from "./audit-actions";
import { eventsCte, eventTypeOf, groupObjectSql, userObjectSql } from "./sql";
import { subjectKindOf, type OutboxType } from "./outbox-types";

/** `data` may be left out where the action's data has no required field. */
type DataOf<A extends AuditAction> =
  Record<never, never> extends AuditData<A> ? { data?: AuditData<A> } : { data: AuditData<A> };

type EmitOf<A extends AuditAction> = DataOf<A> & {
  action: A;
  /** The target's id (a user's, a group's...); the outbox row's subject. */
  targetId?: string;
  /** The outbox type when the action may write several (default: the catalogue's first). */
  event?: EventsOf<A>;
  /** user.role_changed: the role before the change. */
  previousRole?: Role | null;
  /** group.created, group.updated: the user ids added to and removed from the group. */
  members?: { added: string[]; removed: string[] };
};

export type EmitInput = { [A in AuditAction]: EmitOf<A> }[AuditAction];

/** The payload expression and row source of an outbox type for one subject. */
function subjectRows(
  ctx: Ctx,
  type: OutboxType,
  input: EmitInput,
): { from: Prisma.Sql; payload: Prisma.Sql } {
  const id = input.targetId;
  if (id === undefined) throw new Error(`${input.action}: an event needs its targetId`);
  if (subjectKindOf(type) === "user") {
    const extra =
      type === "user.role_changed"
        ? Prisma.sql` || jsonb_build_object('previousRole', ${input.previousRole ?? null}::text)`
        : Prisma.empty;
    return {
      from: Prisma.sql`users u WHERE u.id = ${id}::uuid AND u.org_id = ${ctx.orgId}::uuid`,
      payload: Prisma.sql`${userObjectSql("u")}${extra}`,
    };
  }
  const extra =
    type === "group.deleted"
      ? Prisma.empty
      : Prisma.sql` || jsonb_build_object('membersAdded', ${JSON.stringify(input.members?.added ?? [])}::jsonb,
          'membersRemoved', ${JSON.stringify(input.members?.removed ?? [])}::jsonb)`;
  return {
    from: Prisma.sql`groups g WHERE g.id = ${id}::uuid AND g.org_id = ${ctx.orgId}::uuid`,
    payload: Prisma.sql`${groupObjectSql("g")}${extra}`,
  };
}

/**
 * Writes the audit row of `input` and its outbox row, if its action has one, in `tx`.
 * `alongside`: a data-modifying statement (INSERT, UPDATE, DELETE) run in the same statement as
 * a CTE, for a write that must commit with its event and may cost no round trip of its own (the
 * session of an SSO sign-in). It must not change the row the event describes: the statement's
 * snapshot would not see it.
 */
export async function emit(tx: SqlTx, ctx: Ctx, input: EmitInput, alongside?: Prisma.Sql): Promise<void> {
  const data = AUDIT_ACTIONS[input.action].data.parse(input.data ?? {});
  const type = eventTypeOf(input.action, input.event) as OutboxType | null;
  const rows = type
    ? subjectRows(ctx, type, input)
    : { from: Prisma.sql`(SELECT 1) AS one`, payload: undefined };
  const [written] = await tx.$queryRaw<{ audited: number }[]>`WITH emit_input AS (SELECT 1)${
    alongside ? Prisma.sql`, alongside AS (${alongside})` : Prisma.empty
  }
    ${eventsCte(ctx, "emitted", [
      {
        action: input.action,
        event: type ?? undefined,
        from: rows.from,
        targetId: Prisma.sql`${input.targetId ?? null}::text`,
        data: Prisma.sql`${JSON.stringify(data)}::jsonb`,
        payload: rows.payload,
      } as Parameters<typeof eventsCte>[2][number],
    ])}
    SELECT (SELECT count(*) FROM emitted_audited)::int AS audited`;
  if (written?.audited !== 1)
    throw new Error(
      `${input.action}: no ${type ? subjectKindOf(type) : "target"} ${input.targetId} in this organization`,
    );
}
