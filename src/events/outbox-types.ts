// The event types the downstream application receives (CONTRACT section 8), each with the one
// schema of its `data`: the outbox row's payload is exactly that object.
import { z } from "zod";
import { groupObjectSchema, roleSchema, userObjectSchema } from "./objects";

const memberChanges = { membersAdded: z.array(z.guid()), membersRemoved: z.array(z.guid()) };

export const OUTBOX_PAYLOADS = {
  "user.created": userObjectSchema,
  "user.updated": userObjectSchema,
  "user.role_changed": userObjectSchema.extend({ previousRole: roleSchema.nullable() }),
  "user.deactivated": userObjectSchema,
  "user.reactivated": userObjectSchema,
  "user.deleted": userObjectSchema,
  "group.created": groupObjectSchema.extend(memberChanges),
  "group.updated": groupObjectSchema.extend(memberChanges),
  "group.deleted": groupObjectSchema,
} as const;

export type OutboxType = keyof typeof OUTBOX_PAYLOADS;
export const OUTBOX_TYPES = Object.keys(OUTBOX_PAYLOADS) as OutboxType[];
export type OutboxPayload<T extends OutboxType> = z.infer<(typeof OUTBOX_PAYLOADS)[T]>;

/** What each type is about: its subject_id names a user or a group. */
export const subjectKindOf = (type: OutboxType): "user" | "group" =>
  type.startsWith("user.") ? "user" : "group";

const entry = <T extends OutboxType>(type: T) =>
  z.strictObject({ type: z.literal(type), payload: OUTBOX_PAYLOADS[type] });

/** An outbox row's type and payload, as one discriminated union (the rows check). */
export const outboxEventSchema = z.discriminatedUnion("type", [
  entry("user.created"),
  entry("user.updated"),
  entry("user.role_changed"),
  entry("user.deactivated"),
  entry("user.reactivated"),
  entry("user.deleted"),
  entry("group.created"),
  entry("group.updated"),
  entry("group.deleted"),
]);

export const isOutboxType = (value: string): value is OutboxType => Object.hasOwn(OUTBOX_PAYLOADS, value);
