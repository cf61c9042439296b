// The roles capability's answers as zod schemas: what a role mapping changes, its preview, and
// the groups with the role each maps to. The admin API's route specs and its OpenAPI document
// use them; the services' return types must fit them (a typecheck of the routes holds them).
import { z } from "zod";
import { ROLES } from "./permissions";

export const roleSchema = z.enum(ROLES).meta({ id: "Role" });

export const roleChangesSchema = z
  .object({
    changed: z.number().int().describe("Users whose role changed"),
    byRole: z
      .object({
        Admin: z.number().int(),
        Support: z.number().int(),
        Viewer: z.number().int(),
        none: z.number().int(),
      })
      .describe("The users whose role changed, by their new role"),
  })
  .meta({ id: "RoleChanges" });

export const mappingsPreviewSchema = roleChangesSchema
  .extend({
    users: z
      .array(
        z.object({ id: z.uuid(), email: z.string(), from: roleSchema.nullable(), to: roleSchema.nullable() }),
      )
      .describe("The first users whose role would change"),
    wouldRemoveLastAdmin: z.boolean().describe("True when PUT would refuse this rule set unless forced"),
  })
  .meta({ id: "RoleMappingsPreview" });

export const groupSchema = z
  .object({
    id: z.uuid(),
    displayName: z.string(),
    externalId: z.string().nullable(),
    source: z.enum(["scim", "sso", "manual"]),
    memberCount: z.number().int(),
    role: roleSchema.nullable().describe("The role the mapping gives the group's members, or null"),
  })
  .meta({ id: "Group" });
