// Webhook endpoints of an organization: create (the signing secret is shown once and stored
// encrypted), list, change, delete, rotate the secret (the previous one keeps signing for
// 24 h), each change audited in its own transaction.
import type { Database } from "../db/client";
import type { Prisma } from "../generated/prisma/client";
import type { Ctx } from "../shared/context";
import type { Cipher } from "../shared/crypto";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { checkDestination, type DestinationRules } from "./destination";
import { newSigningSecret } from "./signing";
import { presentEndpoint } from "./present";
import type { CreateWebhookInput, UpdateWebhookInput } from "./schemas";

/** How long the secret before a rotation keeps signing, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_SIGNS_MS = 24 * 60 * 60_000;

const notFound = () => new AppError("not_found", "No such webhook endpoint in this organization");

export interface EndpointsDeps {
  db: Pick<Database, "prisma">;
  cipher: Cipher;
  destination: DestinationRules;
  clock: () => Date;
}

export function createEndpointsService({ db, cipher, destination, clock }: EndpointsDeps) {
  const prisma = db.prisma;

  const find = async (orgId: string, id: string) => {
    const row = await prisma.webhookEndpoint.findFirst({ where: { id, orgId } });
    if (!row) throw notFound();
    return row;
  };

  return {
    async list(orgId: string) {
      const rows = await prisma.webhookEndpoint.findMany({
        where: { orgId },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return { data: rows.map(presentEndpoint), nextCursor: null };
    },

    async get(orgId: string, id: string) {
      return presentEndpoint(await find(orgId, id));
    },

    async create(ctx: Ctx, input: CreateWebhookInput) {
      const url = await checkDestination(input.url, destination);
      const secret = newSigningSecret();
      const row = await prisma.$transaction(async (tx) => {
        // Only events committed from now on go to the new endpoint, not the outbox's history.
        const newest = await tx.outboxEvent.aggregate({ _max: { id: true } });
        const created = await tx.webhookEndpoint.create({
          data: {
            orgId: ctx.orgId,
            url,
            description: input.description ?? null,
            events: input.events,
            secret: cipher.encrypt(secret),
            afterEventId: newest._max.id ?? 0n,
          },
        });
        await emit(tx, ctx, {
          action: "webhook.created",
          targetId: created.id,
          data: { url, events: input.events },
        });
        return created;
      });
      return { ...presentEndpoint(row), secret, previousSecretExpiresAt: null };
    },

    async update(ctx: Ctx, id: string, input: UpdateWebhookInput) {
      const current = await find(ctx.orgId, id);
      const data: Prisma.WebhookEndpointUpdateInput = {};
      if (input.url !== undefined) data.url = await checkDestination(input.url, destination);
      if (input.events !== undefined) data.events = input.events;
      if (input.description !== undefined) data.description = input.description;
      if (input.enabled !== undefined) {
        data.enabled = input.enabled;
        // Enabled again by an admin: the bridge's reason and the failure streak are forgotten.
        if (input.enabled) Object.assign(data, { disabledReason: null, failingSince: null });
      }
      const row = await prisma.$transaction(async (tx) => {
        const updated = await tx.webhookEndpoint.update({ where: { id: current.id }, data });
        await emit(tx, ctx, {
          action: "webhook.updated",
          targetId: id,
          data: {
            changed: Object.keys(input),
            url: updated.url,
            events: updated.events,
            enabled: updated.enabled,
          },
        });
        return updated;
      });
      return presentEndpoint(row);
    },

    async delete(ctx: Ctx, id: string): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.webhookEndpoint.deleteMany({ where: { id, orgId: ctx.orgId } });
        if (count === 0) throw notFound();
        await emit(tx, ctx, { action: "webhook.deleted", targetId: id, data: {} });
      });
    },

    async rotateSecret(ctx: Ctx, id: string) {
      const current = await find(ctx.orgId, id);
      const secret = newSigningSecret();
      const previousSecretExpiresAt = new Date(clock().getTime() + PREVIOUS_SECRET_SIGNS_MS);
      const row = await prisma.$transaction(async (tx) => {
        const updated = await tx.webhookEndpoint.update({
          where: { id: current.id },
          data: { secret: cipher.encrypt(secret), previousSecret: current.secret, previousSecretExpiresAt },
        });
        await emit(tx, ctx, {
          action: "webhook.secret_rotated",
          targetId: id,
          data: { previousSecretExpiresAt: previousSecretExpiresAt.toISOString() },
        });
        return updated;
      });
      return {
        ...presentEndpoint(row),
        secret,
        previousSecretExpiresAt: previousSecretExpiresAt.toISOString(),
      };
    },
  };
}

export type EndpointsService = ReturnType<typeof createEndpointsService>;
