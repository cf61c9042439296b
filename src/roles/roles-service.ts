// The roles capability as a service: the org's role mapping (read, replace, preview) and the
// groups with the role each maps to. Recompute itself is the seam in recompute.ts.
import type { Database } from "../db/client";
import type { Ctx } from "../shared/context";
import type { RoleMappingsInput } from "./mappings-input";
import { readMappings } from "./read-mappings";
import { putMappings } from "./put-mappings";
import { previewMappings } from "./preview-mappings";
import { listGroups } from "./list-groups";
import { explainRole } from "./explain-role";

export function createRolesService({ db }: { db: Pick<Database, "prisma" | "kind"> }) {
  return {
    getMappings: (ctx: Ctx) => readMappings(db.prisma, ctx.orgId),
    putMappings: (ctx: Ctx, input: RoleMappingsInput, options: { force: boolean }) =>
      putMappings(db, ctx, input, options),
    previewMappings: (ctx: Ctx, input: RoleMappingsInput, options?: { assumeSsoOn?: boolean }) =>
      previewMappings(db, ctx, input, options),
    listGroups: (ctx: Ctx, query: { cursor?: string; limit: number }) => listGroups(db, ctx.orgId, query),
    explainRole: (ctx: Ctx, userId: string) => explainRole(db.prisma, ctx.orgId, userId),
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
