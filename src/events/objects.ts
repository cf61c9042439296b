// The objects events carry to the downstream application: the admin API's user object
// (CONTRACT section 6) and a group object like the admin API's groups list item. Every event
// of a type carries the same object, whatever caused it (CONTRACT section 8).
import { z } from "zod";

export const roleSchema = z.enum(["Admin", "Support", "Viewer"]);
export const userStatusSchema = z.enum(["invited", "active", "deactivated", "blocked"]);
export const provisionedBySchema = z.enum(["scim", "sso", "invite"]);
export const groupSourceSchema = z.enum(["scim", "sso", "manual"]);

const isoInstant = z.iso.datetime({ offset: false, precision: 3 });

export const roleSourceSchema = z.strictObject({
  kind: z.enum(["mapping", "default", "manual"]),
  rules: z.array(z.strictObject({ group: z.string(), role: roleSchema })),
  overage: z.boolean().optional(),
});

/** The admin API user object, exactly (src/users/present.ts holds the type to it). */
export const userObjectSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  status: userStatusSchema,
  role: roleSchema.nullable(),
  roleSource: roleSourceSchema,
  groups: z.array(z.strictObject({ id: z.uuid(), displayName: z.string(), source: groupSourceSchema })),
  provisionedBy: provisionedBySchema,
  lastSignInAt: isoInstant.nullable(),
  createdAt: isoInstant,
});

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
