// The role of a user who is created with no groups (a SCIM create), written by the create's own
// statement instead of a recompute afterwards. resolveRole with no memberships, no sign-in
// groups and no manual role gives the organization's default role, with roleSource
// {kind: "default", rules: []}; a SCIM user is never manual. So the create needs no lock round
// trip and no recompute statement: a test holds this equal to what recomputeRoles computes.
import { Prisma } from "../generated/prisma/client";
import type { RoleSource } from "./resolve";

export const INITIAL_ROLE_SOURCE: RoleSource = { kind: "default", rules: [] };

/**
 * A CTE `org_role(default_role)` that takes the organization row FOR SHARE, as the role seam's
 * "share" lock does. Why it is enough inside one statement: a rules change holds the row
 * FOR NO KEY UPDATE; if it is in flight, this lock waits for its commit and then reads the new
 * row version (READ COMMITTED re-reads a row it had to wait for), so the new default applies;
 * if the create locks first, the rules change waits for the create to commit and its recompute
 * then sees the new user. `onlyIf` is a further condition on the organization row, read under
 * the same lock: when it is false the CTE is empty and the statement built on it writes nothing.
 */
export const orgDefaultRoleCte = (orgId: string, onlyIf: Prisma.Sql = Prisma.sql`true`): Prisma.Sql =>
  Prisma.sql`org_role AS (
    SELECT default_role FROM organizations WHERE id = ${orgId}::uuid AND ${onlyIf} FOR SHARE
  )`;
