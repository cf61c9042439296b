// POST /role-mappings/preview: what a candidate rule set would change, computed by the same SQL
// as the real recompute but read-only: the counts and the first 100 users. PostgreSQL: one
// statement over the organization. PGlite: the same statement over chunks of the sweep's size,
// with a pause between them, so that the server keeps answering (docs/decisions.md, "The
// embedded role sweep").
import type { Database } from "../db/client";
import type { Role } from "../generated/prisma/enums";
import type { Ctx } from "../shared/context";
import { Prisma } from "../generated/prisma/client";
import type { RoleMappingsInput } from "./mappings-input";
import { bulkSettingsSql, computedCte, countsSelect, type RuleSet, type Target } from "./recompute-sql";
import { ORG_RECOMPUTE_TX, type OrgRecomputeResult, type RoleCounts } from "./recompute";
import { SWEEP_CHUNK_USERS } from "./sweep";
import { pauseAsLongAsSince } from "../db/fair-share";

export const PREVIEW_USERS = 100;

export interface MappingsPreview extends OrgRecomputeResult {
  users: { id: string; email: string; from: Role | null; to: Role | null }[];
  /** True when PUT would refuse this rule set with would_remove_last_admin (unless forced). */
  wouldRemoveLastAdmin: boolean;
}

/**
 * `assumeSsoOn` previews turning SSO on (the portal's confirmation before enabling): the rules
 * are computed as if the organization's connection were enabled (recompute-sql.ts, RuleSet).
 */
export interface PreviewOptions {
  assumeSsoOn?: boolean;
}

type Row = RoleCounts & {
  changed: number;
  users: MappingsPreview["users"];
  admins_before: number;
  admins_after: number;
  sso_on: boolean;
  targeted: number;
  last: string | null;
};

/**
 * The preview of the users of `target`. `carried`: the first users of earlier chunks; the
 * answer's `users` are the first of them and of this chunk's together, ordered by the database
 * (email, then id as text), so that the chunks' list is the one statement's.
 */
const previewSql = (orgId: string, set: RuleSet, target: Target, carried: MappingsPreview["users"]) =>
  Prisma.sql`${computedCte(orgId, set, target)},
  counts AS (${countsSelect}),
  first_users AS (
    SELECT * FROM (
      SELECT id::text AS id, email, old_role AS "from", new_role AS "to" FROM changed
      WHERE new_role IS DISTINCT FROM old_role
      UNION ALL
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(carried)}::jsonb)
        AS c(id text, email text, "from" text, "to" text)
    ) f ORDER BY email, id LIMIT ${Prisma.raw(String(PREVIEW_USERS))}
  )
  SELECT counts.*,
    coalesce((SELECT jsonb_agg(to_jsonb(f) ORDER BY f.email, f.id) FROM first_users f), '[]') AS users,
    (SELECT count(*)::int FROM computed WHERE status = 'active' AND old_role = 'Admin') AS admins_before,
    (SELECT count(*)::int FROM computed WHERE status = 'active' AND new_role = 'Admin') AS admins_after,
    (SELECT sso_on FROM settings) AS sso_on,
    (SELECT count(*)::int FROM target) AS targeted,
    (SELECT id::text FROM target ORDER BY id DESC LIMIT 1) AS last
  FROM counts`;

const candidateOf = (input: RoleMappingsInput, options: PreviewOptions): RuleSet => ({
  kind: "candidate",
  rules: input.rules,
  defaultRole: input.defaultRole,
  assumeSsoOn: options.assumeSsoOn === true,
});

const answer = (r: Row): MappingsPreview => ({
  changed: r.changed,
  byRole: { Admin: r.Admin, Support: r.Support, Viewer: r.Viewer, none: r.none },
  users: r.users,
  wouldRemoveLastAdmin: r.sso_on && r.admins_before > 0 && r.admins_after === 0,
});

export async function previewMappings(
  db: Pick<Database, "prisma" | "kind">,
  ctx: Ctx,
  input: RoleMappingsInput,
  options: PreviewOptions = {},
): Promise<MappingsPreview> {
  return db.kind === "pglite"
    ? previewInChunks(db, ctx, input, options)
    : previewInOneStatement(db, ctx, input, options);
}

/** One statement over the organization, in a transaction only so that its settings stay local to it. */
export async function previewInOneStatement(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  input: RoleMappingsInput,
  options: PreviewOptions = {},
): Promise<MappingsPreview> {
  const [row] = await db.prisma.$transaction(async (tx) => {
    await tx.$queryRaw(bulkSettingsSql(ctx.orgId));
    return tx.$queryRaw<Row[]>(previewSql(ctx.orgId, candidateOf(input, options), { kind: "org" }, []));
  }, ORG_RECOMPUTE_TX);
  return answer(row!);
}

/**
 * Chunks of `chunkUsers` users in id order, each one autocommitted read, a pause as long as the
 * chunk took after each: the counts and admins summed, the first users carried from chunk to
 * chunk. Not one snapshot: a change committed between two chunks shows in the later ones only,
 * as during the sweep itself; it is a preview.
 */
export async function previewInChunks(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  input: RoleMappingsInput,
  options: PreviewOptions = {},
  chunkUsers = SWEEP_CHUNK_USERS,
): Promise<MappingsPreview> {
  const set = candidateOf(input, options);
  const sum: Row = {
    changed: 0,
    Admin: 0,
    Support: 0,
    Viewer: 0,
    none: 0,
    users: [],
    admins_before: 0,
    admins_after: 0,
    sso_on: false,
    targeted: 0,
    last: null,
  };
  for (;;) {
    const started = performance.now();
    const [row] = await db.prisma.$queryRaw<Row[]>(
      previewSql(ctx.orgId, set, { kind: "range", after: sum.last, limit: chunkUsers }, sum.users),
    );
    const r = row!;
    for (const key of [
      "changed",
      "Admin",
      "Support",
      "Viewer",
      "none",
      "admins_before",
      "admins_after",
    ] as const)
      sum[key] += r[key];
    sum.users = r.users;
    sum.sso_on = r.sso_on;
    sum.last = r.last;
    if (r.targeted < chunkUsers) return answer(sum);
    await pauseAsLongAsSince(started);
  }
}
