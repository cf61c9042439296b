// The admin API's user object as a zod schema: the response of every user route, the `data` of
// every user.* event, and the OpenAPI component "User". toUserDto (present.ts) builds it.
import { z } from "zod";
import { roleSchema } from "../roles/roles-schema";

export { roleSchema };

export const roleSourceSchema = z
  .object({
    kind: z.enum(["mapping", "default", "manual"]),
    rules: z.array(z.object({ group: z.string(), role: roleSchema })),
    overage: z.boolean().optional(),
  })
  .meta({
    id: "RoleSource",
    description: "Why the user has their role: the rules that matched, the default, or set by hand.",
  });

export const userGroupRefSchema = z.object({ id: z.uuid(), displayName: z.string(), source: z.string() });

export const userObjectSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    status: z.enum(["invited", "active", "deactivated", "blocked"]),
    role: roleSchema.nullable(),
    roleSource: roleSourceSchema,
    groups: z.array(userGroupRefSchema),
    provisionedBy: z.enum(["scim", "sso", "invite"]),
    lastSignInAt: z.iso.datetime({ offset: true }).nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "User" });

export type UserObject = z.infer<typeof userObjectSchema>;
