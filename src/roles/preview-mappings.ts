// POST /role-mappings/preview: what a candidate rule set would change, computed by the same SQL
// as the real recompute but read-only: the counts and the first 100 users.
import type { Database } from "../db/client";
import type { Role } from "../generated/prisma/enums";
import type { Ctx } from "../shared/context";
import { Prisma } from "../generated/prisma/client";
import type { RoleMappingsInput } from "./mappings-input";
import { bulkSettingsSql, computedCte, countsSelect } from "./recompute-sql";
import { ORG_RECOMPUTE_TX, type OrgRecomputeResult, type RoleCounts } from "./recompute";

export const PREVIEW_USERS = 100;

export interface MappingsPreview extends OrgRecomputeResult {
  users: { id: string; email: string; from: Role | null; to: Role | null }[];
  /** True when PUT would refuse this rule set with would_remove_last_admin (unless forced). */
  wouldRemoveLastAdmin: boolean;
}

type Row = RoleCounts & {
  changed: number;
  users: MappingsPreview["users"] | null;
  admins_before: number;
  admins_after: number;
  sso_on: boolean;
};

class Rollback extends Error {
  constructor(readonly rows: Row[]) {
    super("preview rollback");
  }
}

/**
 * `assumeSsoOn` previews turning SSO on (the portal's confirmation before enabling): the
 * connection is switched on inside the preview's transaction, which is then rolled back.
 */
export async function previewMappings(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  input: RoleMappingsInput,
  options: { assumeSsoOn?: boolean } = {},
): Promise<MappingsPreview> {
  const candidate = { kind: "candidate" as const, rules: input.rules, defaultRole: input.defaultRole };
  const query = Prisma.sql`${computedCte(ctx.orgId, candidate, { kind: "org" })},
  counts AS (${countsSelect}),
  first_users AS (
    SELECT id::text AS id, email, old_role AS "from", new_role AS "to" FROM changed
    WHERE new_role IS DISTINCT FROM old_role ORDER BY email, id LIMIT ${Prisma.raw(String(PREVIEW_USERS))}
  )
  SELECT counts.*,
    (SELECT jsonb_agg(to_jsonb(f) ORDER BY f.email, f.id) FROM first_users f) AS users,
    (SELECT count(*)::int FROM computed WHERE status = 'active' AND old_role = 'Admin') AS admins_before,
    (SELECT count(*)::int FROM computed WHERE status = 'active' AND new_role = 'Admin') AS admins_after,
    (SELECT sso_on FROM settings) AS sso_on
  FROM counts`;
  // Read-only, in a transaction only so that the session settings stay local to it.
  const run = () =>
    db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw(bulkSettingsSql(ctx.orgId));
      if (!options.assumeSsoOn) return tx.$queryRaw<Row[]>(query);
      await tx.ssoConnection.updateMany({ where: { orgId: ctx.orgId }, data: { enabled: true } });
      throw new Rollback(await tx.$queryRaw<Row[]>(query));
    }, ORG_RECOMPUTE_TX);
  const [row] = await run().catch((e: unknown) => {
    if (e instanceof Rollback) return e.rows;
    throw e;
  });
  const r = row!;
  return {
    changed: r.changed,
    byRole: { Admin: r.Admin, Support: r.Support, Viewer: r.Viewer, none: r.none },
    users: r.users ?? [],
    wouldRemoveLastAdmin: r.sso_on && r.admins_before > 0 && r.admins_after === 0,
  };
}
