// Resolves /sso/{org}/... to the organization and its SSO connection, for the login and the
// protocol endpoints. Unknown organization and missing connection look alike (a 404 page).
import type { Request } from "express";
import type { Organization } from "../generated/prisma/client";
import type { SsoDeps } from "./deps";
import { AppError } from "../shared/errors";
import type { SsoConnectionRecord, SsoProtocolName } from "./protocol";
import { loadOrgAndConnection } from "./connection-store";

export interface SsoTarget {
  org: Organization;
  connection: SsoConnectionRecord;
}

export async function ssoTargetOf(
  deps: Pick<SsoDeps, "db" | "cipher">,
  req: Request,
  options: { protocol?: SsoProtocolName; requireEnabled: boolean },
): Promise<SsoTarget> {
  const found = await loadOrgAndConnection(deps.db, deps.cipher, String(req.params.org));
  const org = found?.org;
  const connection = found?.connection;
  if (!org || !connection || (options.protocol && connection.protocol !== options.protocol)) {
    throw new AppError("not_found", "Single sign-on is not set up for this organization.", {
      extra: { reason: "sso_not_configured" },
    });
  }
  if (options.requireEnabled && !connection.enabled) {
    throw new AppError("forbidden", "Single sign-on is turned off for this organization.", {
      extra: { reason: "sso_disabled" },
    });
  }
  return { org, connection };
}
