// The CLI's commands as one table of functions over the services. The CLI runs them
// in-process, or asks a running server to run them over the control socket: both paths call
// exactly this code, and both print the same JSON.
import { z } from "zod";
import type { Services } from "../services";
import { AppError, isAppError } from "../shared/errors";
import { fromZod } from "../shared/known-error";
import { createOrgInput } from "../orgs/orgs-service";
import { createAdmin, createAdminInput } from "../users/invitations/create-admin";
import { migrate } from "../db/migrate";
import { recoverInput } from "../auth/login-links";
import { LIST_COMMANDS, orgArg, orgCtx, type Command } from "./list-commands";

export interface CommandRequest {
  command: string;
  args: Record<string, unknown>;
}

export type CommandResult =
  { ok: true; result: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

export const COMMANDS: Record<string, Command> = {
  async "org create"(services, args) {
    const org = await services.orgs.createOrg(createOrgInput.parse(args));
    return { id: org.id, slug: org.slug, name: org.name, plan: org.plan };
  },

  async "scim-token create"(services, args) {
    const { org, name } = orgArg
      .extend({ name: z.string().trim().min(1).max(100).default("scim") })
      .parse(args);
    const created = await services.credentials.create("scim_token", await orgCtx(services, org), name);
    return {
      id: created.id,
      name: created.name,
      token: created.token,
      scimBaseUrl: services.scimBaseUrl(org),
    };
  },

  async "api-key create"(services, args) {
    const { org, name } = orgArg
      .extend({ name: z.string().trim().min(1).max(100).default("api") })
      .parse(args);
    const created = await services.credentials.create("api_key", await orgCtx(services, org), name);
    return { id: created.id, name: created.name, key: created.token };
  },

  async "user create-admin"(services, args) {
    const { org, ...rest } = orgArg.extend(createAdminInput.shape).parse(args);
    const created = await createAdmin(
      { db: services.db, baseUrl: services.config.baseUrl, clock: services.clock },
      await orgCtx(services, org),
      rest,
    );
    return { userId: created.userId, email: created.email, invitationUrl: created.invitationUrl };
  },

  async recover(services, args) {
    const { org, email } = orgArg.extend({ email: z.string().min(1, "--email is required") }).parse(args);
    return services.auth.issueRecoveryLink(await orgCtx(services, org), recoverInput.parse({ email }));
  },

  async migrate(services) {
    const conn = await services.db.raw();
    try {
      return { applied: await migrate(conn) };
    } finally {
      await conn.release();
    }
  },

  ...LIST_COMMANDS,
};

export async function runCommand(services: Services, request: CommandRequest): Promise<CommandResult> {
  // Own keys only: a name such as "constructor" off the socket is not a command.
  const command = Object.hasOwn(COMMANDS, request.command) ? COMMANDS[request.command] : undefined;
  if (!command)
    return { ok: false, error: { code: "bad_request", message: `unknown command "${request.command}"` } };
  try {
    // Through JSON once, so that dates print the same whether a server ran the command or not.
    const result = JSON.parse(JSON.stringify(await command(services, request.args ?? {}))) as Record<
      string,
      unknown
    >;
    return { ok: true, result };
  } catch (e) {
    const err = e instanceof z.ZodError ? fromZod(e) : e;
    if (isAppError(err)) return { ok: false, error: { code: err.code, message: err.message } };
    services.logger.error("command failed", { command: request.command, error: e });
    return { ok: false, error: { code: "internal", message: e instanceof Error ? e.message : String(e) } };
  }
}

export { AppError };
