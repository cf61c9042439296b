// The objects events carry to the downstream application: the admin API's user object
// (CONTRACT section 6) and a group object like the admin API's groups list item. Every event
// of a type carries the same object, whatever caused it (CONTRACT section 8).
import { z } from "zod";

import {
  roleSchema,
  roleSourceSchema,
  userObjectSchema as adminUserObjectSchema,
} from "../users/user-schema";

export { roleSchema, roleSourceSchema };
export const userStatusSchema = z.enum(["invited", "active", "deactivated", "blocked"]);
export const groupSourceSchema = z.enum(["scim", "sso", "manual"]);

/** The admin API user object (users/user-schema.ts), exactly: no field more. */
export const userObjectSchema = adminUserObjectSchema.strict();

/**
 * A group as the admin API lists it, but for memberCount: here the group's memberships alone
 * (SCIM or manual), without the users whose last sign-in named it, which would cost a scan of
 * the organization's users on every member batch.
 */
export const groupObjectSchema = z.strictObject({
  id: z.uuid(),
  displayName: z.string(),
  externalId: z.string().nullable(),
  source: groupSourceSchema,
  memberCount: z.number().int().nonnegative(),
  role: roleSchema.nullable(),
});

export type UserObject = z.infer<typeof userObjectSchema>;
export type GroupObject = z.infer<typeof groupObjectSchema>;
