// Embedded database only: the recompute of a whole-organization role change, in chunks. PGlite
// runs every statement in the server's own thread, so one statement over 100,000 users would
// answer nothing else for seconds (docs/benchmarks.md). The change commits with a mark
// (role_sweeps); then each chunk of users, in id order, is a transaction of its own under the
// organization's roles lock, with a pause between chunks for the requests that wait. The last
// chunk writes the change's own audit event with the summed counts and deletes the mark. What
// this gives up, and why it is safe: docs/decisions.md ("The embedded role sweep").
import { Prisma } from "../generated/prisma/client";
import type { Database, Tx } from "../db/client";
import type { Actor, Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { AUDIT_ACTIONS, emit, type AuditAction, type EmitInput } from "../events";
import { bulkSettingsSql, computedCte, countsSelect, roleEventsCte, updateChangedCte } from "./recompute-sql";
import { pauseAsLongAsSince } from "../db/fair-share";
import { lockOrgForRoles, ORG_RECOMPUTE_TX, type OrgRecomputeResult, type RoleCounts } from "./recompute";

/**
 * Users per chunk. Why a fixed 1,000: a chunk costs a fixed part (its transaction, its commit,
 * the per-organization CTEs) and a part per user; sizing each chunk from the last one's time
 * shrank them to 100 users on a busy machine without making them shorter (docs/benchmarks.md).
 */
export const SWEEP_CHUNK_USERS = 1_000;

/**
 * The change's own audit event, as emit() takes it; `counts`: its data also says the
 * recompute's {changed, byRole}, known only once every user is swept.
 */
export interface ChangeEvent {
  action: AuditAction;
  targetId: string;
  data: Record<string, unknown>;
  counts: boolean;
}

/** The emit() input of a change's event once the recompute's result is known. */
export function changeEventInput(event: ChangeEvent, result: OrgRecomputeResult): EmitInput {
  const data = event.counts ? { ...event.data, changed: result.changed, byRole: result.byRole } : event.data;
  return { action: event.action, targetId: event.targetId, data } as EmitInput;
}

const NO_COUNTS: OrgRecomputeResult = { changed: 0, byRole: { Admin: 0, Support: 0, Viewer: 0, none: 0 } };

/** Per database: each organization's queue of whole-org changes, and whether the server stops. */
interface SweepState {
  queues: Map<string, Promise<unknown>>;
  stopping: boolean;
}
// Keyed by the Prisma client: the Database handle may be wrapped, its client is the one object.
const states = new WeakMap<object, SweepState>();
const stateOf = (db: Pick<Database, "prisma">): SweepState => {
  let state = states.get(db.prisma);
  if (!state) states.set(db.prisma, (state = { queues: new Map(), stopping: false }));
  return state;
};

const stoppingError = () =>
  new AppError(
    "unavailable",
    "the server is stopping: the change is saved, and the recompute of its roles finishes when the server starts again",
  );

/**
 * Runs `fn` once every earlier whole-org change of this organization in this process has ended.
 * Why: two sweeps of one organization interleaving would leave each user with whichever chunk
 * came last. The embedded database belongs to one process (the data directory's lock), so a
 * queue in memory serialises them all; the mark covers a server that stopped.
 */
export function serializeOrgChange<T>(db: Pick<Database, "prisma">, orgId: string, fn: () => Promise<T>) {
  const state = stateOf(db);
  const run = (state.queues.get(orgId) ?? Promise.resolve()).then(() => {
    if (state.stopping) throw stoppingError();
    return fn();
  });
  const tail = run.catch(() => undefined);
  state.queues.set(orgId, tail);
  void tail.then(() => state.queues.get(orgId) === tail && state.queues.delete(orgId));
  return run;
}

/**
 * Writes the mark in the change's transaction. The event's data is checked now (with zero
 * counts), so that a bad one refuses the change instead of failing the sweep's last chunk.
 */
export async function beginRoleSweep(tx: Tx, ctx: Ctx, event: ChangeEvent): Promise<void> {
  const { data } = changeEventInput(event, NO_COUNTS);
  AUDIT_ACTIONS[event.action].data.parse(data ?? {});
  await tx.$executeRaw`INSERT INTO role_sweeps (org_id, event, actor, request_id)
    VALUES (${ctx.orgId}::uuid, ${JSON.stringify(event)}::jsonb, ${JSON.stringify(ctx.actor)}::jsonb,
      ${ctx.requestId ?? null})`;
}

interface Mark extends RoleCounts {
  afterId: string | null;
  event: ChangeEvent;
  actor: Actor;
  requestId: string | null;
  changed: number;
}

type ChunkRow = RoleCounts & { changed: number; users: number; last: string | null };

const chunkSql = (ctx: Ctx, positions: number, after: string | null, limit: number) =>
  Prisma.sql`${computedCte(ctx.orgId, { kind: "stored", positions }, { kind: "range", after, limit })}
    ${updateChangedCte(ctx.orgId)}
    ${roleEventsCte(ctx)},
  counts AS (${countsSelect})
  SELECT counts.*, (SELECT count(*)::int FROM target) AS users,
    (SELECT id::text FROM target ORDER BY id DESC LIMIT 1) AS last
  FROM counts`;

/**
 * One chunk in `tx`: the next users after the mark's cursor, recomputed by the stored rules
 * (the newest: every rules change takes the same lock), their role_changed events, the counts
 * added to the mark. The last chunk writes the change's event and deletes the mark. Answers the
 * result once done, null while users remain, undefined when there is no mark.
 */
async function sweepChunk(
  tx: Tx,
  orgId: string,
  size: number,
): Promise<OrgRecomputeResult | null | undefined> {
  await lockOrgForRoles(tx, orgId, "update");
  const [mark] = await tx.$queryRaw<Mark[]>`SELECT after_id::text AS "afterId", event, actor,
      request_id AS "requestId", changed, admin AS "Admin", support AS "Support", viewer AS "Viewer", none
    FROM role_sweeps WHERE org_id = ${orgId}::uuid`;
  if (!mark) return undefined;
  const ctx: Ctx = { orgId, actor: mark.actor, ...(mark.requestId ? { requestId: mark.requestId } : {}) };
  const [settings] = await tx.$queryRaw<{ positions: number }[]>(bulkSettingsSql(orgId));
  const [row] = await tx.$queryRaw<ChunkRow[]>(chunkSql(ctx, settings!.positions, mark.afterId, size));
  const r = row!;
  const total: OrgRecomputeResult = {
    changed: mark.changed + r.changed,
    byRole: {
      Admin: mark.Admin + r.Admin,
      Support: mark.Support + r.Support,
      Viewer: mark.Viewer + r.Viewer,
      none: mark.none + r.none,
    },
  };
  if (r.users < size) {
    await emit(tx, ctx, changeEventInput(mark.event, total));
    await tx.$executeRaw`DELETE FROM role_sweeps WHERE org_id = ${orgId}::uuid`;
    return total;
  }
  const b = total.byRole;
  await tx.$executeRaw`UPDATE role_sweeps SET after_id = ${r.last}::uuid, changed = ${total.changed},
      admin = ${b.Admin}, support = ${b.Support}, viewer = ${b.Viewer}, none = ${b.none}
    WHERE org_id = ${orgId}::uuid`;
  return null;
}

/**
 * Sweeps this organization's pending change to its end, chunk by chunk; answers its result, or
 * null when nothing was pending. Call it inside serializeOrgChange. Stops between chunks, with
 * 503, when the server stops (the mark stays: the next start finishes).
 */
export async function runRoleSweep(
  db: Pick<Database, "prisma">,
  orgId: string,
): Promise<OrgRecomputeResult | null> {
  const state = stateOf(db);
  for (;;) {
    if (state.stopping) throw stoppingError();
    const started = performance.now();
    const done = await db.prisma.$transaction(
      (tx) => sweepChunk(tx, orgId, SWEEP_CHUNK_USERS),
      ORG_RECOMPUTE_TX,
    );
    if (done !== null) return done ?? null;
    await pauseAsLongAsSince(started);
  }
}

/**
 * At start: finishes the sweeps a stopped server left, one organization after another, while the
 * server answers. Answers how many it finished (a stop meanwhile leaves the rest for next time).
 */
export async function resumeRoleSweeps(db: Pick<Database, "prisma">): Promise<number> {
  const pending = await db.prisma.roleSweep.findMany({
    select: { orgId: true },
    orderBy: { startedAt: "asc" },
  });
  const state = stateOf(db);
  let finished = 0;
  for (const { orgId } of pending) {
    if (state.stopping) break;
    await serializeOrgChange(db, orgId, () => runRoleSweep(db, orgId)).catch((e: unknown) => {
      // Stopping again before it ended: the next start goes on.
      if (!state.stopping) throw e;
    });
    finished += state.stopping ? 0 : 1;
  }
  return finished;
}

/** At shutdown: no new chunk starts; waits for the chunks and changes in flight to end. */
export async function stopRoleSweeps(db: Pick<Database, "prisma">): Promise<void> {
  const state = stateOf(db);
  state.stopping = true;
  await Promise.all(state.queues.values());
}
