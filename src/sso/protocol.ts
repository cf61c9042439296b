// The interface every SSO protocol (SAML, OIDC) implements. Protocol-neutral code (the
// connection API, GET /sso/{org}/login, sign-in completion) only talks to this interface;
// a protocol registers its factory in src/sso/registry.ts with one line. Secrets returned
// by parseConnection are encrypted by the caller and handed back decrypted, never shown.
import type { Request, Response, Router } from "express";
import type { Organization } from "../generated/prisma/client";
import type { SsoDeps } from "./deps";
import type { Ctx } from "../shared/context";
import type { z } from "zod";
import type { samlTestReportSchema, SsoConnectionInput } from "./connection-schema";
import type { samlTestBody } from "./saml/test-response";

export type SsoProtocolName = "saml" | "oidc";

/** A stored connection with its secrets decrypted: what protocol code works with. */
export interface SsoConnectionRecord {
  id: string;
  orgId: string;
  protocol: SsoProtocolName;
  enabled: boolean;
  jit: boolean;
  allowIdpInitiated: boolean;
  /** Non-secret settings (sso_connections.config). */
  config: Record<string, unknown>;
  /** Decrypted sso_connections.secrets ({} when none). Never render or log. */
  secrets: Record<string, string>;
  /** When an Admin's test sign-in last passed, or null. */
  testedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a PUT becomes: the caller stores config, encrypts secrets, and sets the flags. */
export interface ParsedConnection {
  config: Record<string, unknown>;
  secrets?: Record<string, string>;
  jit: boolean;
  allowIdpInitiated: boolean;
}

export interface ParseContext {
  ctx: Ctx;
  org: Organization;
  /** The connection stored before this PUT (to keep its keys or secrets), or null. */
  existing: SsoConnectionRecord | null;
}

export interface LoginTarget {
  org: Organization;
  connection: SsoConnectionRecord;
  /** Already checked to be a local path (src/sso/return-to.ts). */
  returnTo: string;
  /** Set for an Admin's test sign-in: the session that will alone see its result. */
  testSessionId?: string | null;
}

export interface SsoProtocol {
  readonly protocol: SsoProtocolName;
  /**
   * Checks the PUT body (parsed with ssoConnectionInput, of this protocol) beyond its schema.
   * Throws AppError("validation_failed", ..., {errors: [{field, message}]}) naming each bad field.
   */
  parseConnection(input: SsoConnectionInput, pctx: ParseContext): Promise<ParsedConnection>;
  /** Public JSON for GET /sso-connection (merged with id/protocol/enabled/jit/...); no secrets. */
  present(connection: SsoConnectionRecord, org: Organization): Promise<Record<string, unknown>>;
  /** Answers GET /sso/{org}/login by sending the browser to the IdP (a redirect). */
  startLogin(req: Request, res: Response, target: LoginTarget): Promise<void>;
  /** Protocol endpoints mounted under /sso/:org (e.g. saml/acs, oidc/callback). */
  routes?: Router;
  /**
   * POST /sso-connection/test: checks a pasted IdP answer (e.g. a SAMLResponse) as a sign-in
   * would, and says what it proves and which role it would give, without signing anyone in.
   */
  testSignIn?(
    input: z.output<typeof samlTestBody>,
    target: TestTarget,
  ): Promise<z.input<typeof samlTestReportSchema>>;
}

export interface TestTarget {
  ctx: Ctx;
  org: Organization;
  connection: SsoConnectionRecord;
  /** The admin API request and response (some protocol libraries need them). */
  req: Request;
  res: Response;
}

/** The PUT body of `protocol`: the registry hands each protocol only its own. */
export function inputOf<P extends SsoProtocolName>(
  protocol: P,
  input: SsoConnectionInput,
): Extract<SsoConnectionInput, { protocol: P }> {
  if (input.protocol !== protocol) throw new Error(`a ${input.protocol} body was handed to ${protocol}`);
  return input as Extract<SsoConnectionInput, { protocol: P }>;
}

/** A protocol is built once per app (src/services.ts) from the dependencies SSO code may use. */
export type SsoProtocolFactory = (deps: SsoDeps) => SsoProtocol;
