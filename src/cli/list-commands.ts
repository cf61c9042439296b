// The CLI's listing and revoking commands: organizations, SCIM tokens, API keys, users. Each
// list answers {data: [...]}, each revoke the revoked object (revoking twice is not an error,
// as for DELETE on the admin API).
import { z } from "zod";
import type { Services } from "../services";
import { cliActor, type Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import type { CredentialKind } from "../credentials/credentials-service";
import { listUsers, listUsersQuery } from "../users/list-users";

export type Command = (services: Services, args: Record<string, unknown>) => Promise<Record<string, unknown>>;

export const orgArg = z.object({ org: z.string().min(1, "--org is required") });

export async function orgCtx(services: Services, slug: string): Promise<Ctx> {
  const org = await services.orgs.getBySlug(slug);
  return { orgId: org.id, actor: cliActor };
}

const revokeArgs = orgArg.extend({ id: z.uuid("must be an id as `list` shows it") });

function credentialCommands(kind: CredentialKind, noun: string): Record<string, Command> {
  return {
    async [`${noun} list`](services, args) {
      const { org } = orgArg.parse(args);
      return { data: await services.credentials.list(kind, (await orgCtx(services, org)).orgId) };
    },
    async [`${noun} revoke`](services, args) {
      const { org, id } = revokeArgs.parse(args);
      const ctx = await orgCtx(services, org);
      await services.credentials.revoke(kind, ctx, id);
      const revoked = (await services.credentials.list(kind, ctx.orgId)).find((c) => c.id === id);
      if (!revoked) throw new AppError("not_found", `no ${noun} ${id}`);
      return { ...revoked };
    },
  };
}

// Every user, however many: the CLI pages through the admin API's listing.
const userListArgs = orgArg.extend(listUsersQuery.pick({ role: true, status: true }).shape);

export const LIST_COMMANDS: Record<string, Command> = {
  async "org list"(services) {
    const orgs = await services.orgs.listOrgs();
    return {
      data: orgs.map((o) => ({ id: o.id, slug: o.slug, name: o.name, plan: o.plan, createdAt: o.createdAt })),
    };
  },
  ...credentialCommands("scim_token", "scim-token"),
  ...credentialCommands("api_key", "api-key"),
  async "user list"(services, args) {
    const { org, ...filters } = userListArgs.parse(args);
    const { orgId } = await orgCtx(services, org);
    const data: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await listUsers(services.db, orgId, { ...filters, limit: 200, cursor });
      data.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return { data };
  },
};
