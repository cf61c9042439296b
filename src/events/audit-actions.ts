// Every audit action, declared once: what its target is, the schema of its `data`, and which
// outbox event types (if any) it may write beside it (the first is the default). emit() and
// the set-based statement builders accept nothing else, and a test checks every row the
// integration suites write against this table.
import { z } from "zod";
import type { OutboxType } from "./outbox-types";
import { roleSchema, roleSourceSchema, userStatusSchema } from "./objects";

export type TargetType =
  "user" | "group" | "organization" | "sso_connection" | "scim_token" | "api_key" | "webhook_endpoint";

interface ActionSpec {
  target: TargetType;
  data: z.ZodType<Record<string, unknown>>;
  events: readonly OutboxType[];
}

const via = z.enum(["scim", "sso", "admin", "invite"]);
const nullableText = z.string().nullable();
const byRole = z.strictObject({
  Admin: z.number(),
  Support: z.number(),
  Viewer: z.number(),
  none: z.number(),
});
/** SSO turned on or off: the users whose role changed with it, by new role. */
const ssoSwitched = z.strictObject({
  protocol: z.enum(["saml", "oidc"]),
  changed: z.number(),
  byRole,
  forced: z.boolean().optional(),
});
const rulesInput = z.strictObject({
  defaultRole: roleSchema.nullable(),
  rules: z.array(z.strictObject({ group: z.string(), role: roleSchema })),
});
/** A status change by an admin (lifecycle.ts) or by SCIM (`via` and `changed`). */
const statusChange = z.strictObject({
  via: via.optional(),
  email: z.string(),
  from: userStatusSchema.optional(),
  to: userStatusSchema.optional(),
  changed: z.array(z.string()).optional(),
  sessionsRevoked: z.number().int().optional(),
  invitationsRescinded: z.number().int().optional(),
});
const groupChange = z.strictObject({
  via: via,
  displayName: z.string(),
  membersAdded: z.array(z.string()).optional(),
  membersRemoved: z.array(z.string()).optional(),
  /** The names a rename changed (displayName, externalId). */
  changed: z.array(z.enum(["displayName", "externalId"])).optional(),
});
const protocol = z.enum(["saml", "oidc"]);
const signInFacts = z.looseObject({ protocol });
const nothing = z.strictObject({});

const spec = <D extends ActionSpec["data"], const E extends readonly OutboxType[] = readonly []>(
  target: TargetType,
  data: D,
  events?: E,
) => ({ target, data, events: (events ?? []) as unknown as E });

export const AUDIT_ACTIONS = {
  // Users: the changes the downstream application hears about.
  "user.created": spec("user", z.strictObject({ via, email: z.string() }), ["user.created"]),
  "user.invited": spec("user", z.strictObject({ email: z.string(), role: roleSchema }), ["user.created"]),
  "user.updated": spec(
    "user",
    z.strictObject({
      via: via.optional(),
      email: z.string().optional(),
      changed: z.array(z.string()).optional(),
      firstName: nullableText.optional(),
      lastName: nullableText.optional(),
      avatarUrl: nullableText.optional(),
    }),
    ["user.updated"],
  ),
  "user.role_changed": spec(
    "user",
    z.strictObject({
      id: z.string(),
      email: z.string(),
      from: roleSchema.nullable(),
      to: roleSchema.nullable(),
      roleSource: roleSourceSchema,
    }),
    ["user.role_changed"],
  ),
  "user.deactivated": spec("user", statusChange, ["user.deactivated"]),
  "user.reactivated": spec("user", statusChange, ["user.reactivated"]),
  "user.blocked": spec("user", statusChange, ["user.updated"]),
  "user.unblocked": spec("user", statusChange, ["user.updated"]),
  // The user object holds nothing of the second factor: audit only.
  "user.mfa_reset": spec("user", statusChange),
  "user.deleted": spec(
    "user",
    z.strictObject({
      via: via.optional(),
      email: z.string(),
      role: roleSchema.nullable().optional(),
      status: userStatusSchema.optional(),
      groupsLeft: z.number().int().optional(),
    }),
    ["user.deleted"],
  ),
  "user.scim_linked": spec(
    "user",
    z.strictObject({
      via,
      email: z.string(),
      userName: z.string(),
      previouslyProvisionedBy: z.enum(["scim", "sso", "invite"]),
      changed: z.array(z.string()),
      signInEmailKept: z.boolean(),
      invitationsRescinded: z.number().int(),
      sessionsRevoked: z.number().int(),
    }),
    ["user.updated", "user.deactivated"],
  ),
  "invitation.accepted": spec("user", z.strictObject({ email: z.string(), invitationId: z.uuid() }), [
    "user.updated",
  ]),
  "invitation.rescinded": spec("user", z.strictObject({ email: z.string(), invitationId: z.uuid() }), [
    "user.deleted",
  ]),
  // A new link changes nothing the downstream application holds: audit only.
  "invitation.resent": spec(
    "user",
    z.strictObject({ email: z.string(), invitationId: z.uuid(), replaced: z.uuid() }),
  ),
  "user.password_changed": spec("user", z.strictObject({ sessionsEnded: z.number().int() })),
  "user.mfa_enrolled": spec("user", nothing),
  /** Written by the identity_fold migration only. */
  "user.identity_collision": spec(
    "user",
    z.strictObject({ userName: z.string(), email: z.string(), collides: z.enum(["userName", "email"]) }),
  ),
  // Groups.
  "group.created": spec("group", groupChange, ["group.created"]),
  "group.updated": spec("group", groupChange, ["group.updated"]),
  "group.deleted": spec("group", groupChange, ["group.deleted"]),
  /** Written by the group_identity_fold migration only. */
  "group.identity_collision": spec(
    "group",
    z.strictObject({ displayName: z.string(), collides: z.literal("displayName") }),
  ),
  // Sign-in.
  "auth.signed_in": spec(
    "user",
    z.strictObject({
      method: z.literal("password"),
      stage: z.string().optional(),
      ip: z.string().optional(),
      secondFactor: z.string().optional(),
    }),
  ),
  "auth.password_accepted": spec(
    "user",
    z.strictObject({ method: z.literal("password"), stage: z.string(), ip: z.string() }),
  ),
  "auth.sign_in_refused": spec(
    "user",
    z.strictObject({ method: z.literal("password"), reason: z.string(), email: z.string(), ip: z.string() }),
  ),
  "auth.signed_out": spec("user", nothing),
  "auth.recovery_link_issued": spec(
    "user",
    z.strictObject({ email: z.string(), linkId: z.uuid(), expiresAt: z.iso.datetime() }),
  ),
  "auth.recovery_link_used": spec(
    "user",
    z.strictObject({
      linkId: z.uuid(),
      sessionId: z.uuid(),
      roleBefore: roleSchema.nullable(),
      actsAs: z.literal("Admin"),
    }),
  ),
  // SSO sign-ins carry the protocol's own facts (assertion id, issuer...), never secrets.
  "sso.sign_in": spec(
    "user",
    signInFacts.extend({ subject: z.string(), email: z.string(), jitCreated: z.boolean() }),
  ),
  "sso.sign_in_refused": spec(
    "sso_connection",
    signInFacts.extend({ reason: z.string(), status: z.number() }),
  ),
  "sso.connection_tested": spec("sso_connection", z.looseObject({ reason: z.string().nullable() })),
  "sso.connection_created": spec(
    "sso_connection",
    z.strictObject({ protocol: z.enum(["saml", "oidc"]), jit: z.boolean(), allowIdpInitiated: z.boolean() }),
  ),
  "sso.connection_updated": spec(
    "sso_connection",
    z.strictObject({ protocol: z.enum(["saml", "oidc"]), jit: z.boolean(), allowIdpInitiated: z.boolean() }),
  ),
  "sso.connection_deleted": spec(
    "sso_connection",
    z.strictObject({ protocol: z.enum(["saml", "oidc"]), wasEnabled: z.boolean() }),
  ),
  "sso.enabled": spec("sso_connection", ssoSwitched),
  "sso.disabled": spec("sso_connection", ssoSwitched),
  "role_mappings.updated": spec(
    "organization",
    z.strictObject({
      before: rulesInput,
      after: rulesInput,
      changed: z.number(),
      byRole,
      forced: z.boolean().optional(),
    }),
  ),
  // The organization and its credentials.
  "org.created": spec("organization", z.strictObject({ slug: z.string(), plan: z.string() })),
  "org.settings_updated": spec(
    "organization",
    z.strictObject({
      name: z.string().optional(),
      requireMfa: z.boolean().optional(),
      invitationTtlHours: z.number().int().optional(),
    }),
  ),
  "scim_token.created": spec("scim_token", z.strictObject({ name: z.string() })),
  "scim_token.revoked": spec("scim_token", nothing),
  "api_key.created": spec("api_key", z.strictObject({ name: z.string() })),
  "api_key.revoked": spec("api_key", nothing),
  // Webhook endpoints (src/webhooks/); the bridge itself disables a gone or failing one.
  "webhook.created": spec(
    "webhook_endpoint",
    z.strictObject({ url: z.string(), events: z.array(z.string()) }),
  ),
  "webhook.updated": spec(
    "webhook_endpoint",
    z.strictObject({
      changed: z.array(z.string()),
      url: z.string(),
      events: z.array(z.string()),
      enabled: z.boolean(),
    }),
  ),
  "webhook.deleted": spec("webhook_endpoint", nothing),
  "webhook.secret_rotated": spec("webhook_endpoint", z.strictObject({ previousSecretExpiresAt: z.string() })),
  "webhook.disabled": spec("webhook_endpoint", z.strictObject({ reason: z.enum(["gone", "failing"]) })),
} as const satisfies Record<string, ActionSpec>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];
export type AuditData<A extends AuditAction> = z.input<(typeof AUDIT_ACTIONS)[A]["data"]>;
/** The outbox types an action may write, the first being its default. */
export type EventsOf<A extends AuditAction> = (typeof AUDIT_ACTIONS)[A]["events"][number];

export const isAuditAction = (value: string): value is AuditAction => Object.hasOwn(AUDIT_ACTIONS, value);
