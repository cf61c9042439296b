// Who may start a test sign-in (GET /sso/{org}/login?test=1): an Admin of that organization,
// signed in to the portal with a full session (a break-glass session counts as Admin, as in
// the admin API). The session's id binds the test: only it will see the result.
import type { Request } from "express";
import type { Organization } from "../../generated/prisma/client";
import type { SsoDeps } from "../deps";
import { cookieValue } from "../../shared/cookies";
import { hasPermission } from "../../roles/permissions";
import { SESSION_COOKIE } from "../../sessions/sessions-service";
import { AppError } from "../../shared/errors";

export const isTestRequest = (req: Request): boolean => req.query.test === "1";

/** The id of the Admin session starting the test, or a refusal page (403). */
export async function testSessionOf(
  deps: Pick<SsoDeps, "sessions">,
  req: Request,
  org: Organization,
): Promise<string> {
  const resolved = await deps.sessions.resolve(cookieValue(req, SESSION_COOKIE));
  const role = resolved?.session.method === "recovery" ? "Admin" : resolved?.user.role;
  if (
    !resolved ||
    resolved.org.id !== org.id ||
    resolved.session.stage !== "full" ||
    !role ||
    !hasPermission(role, "sso:write")
  ) {
    throw new AppError(
      "forbidden",
      "Only an Admin of this organization, signed in to the portal, can start a test sign-in.",
      { extra: { reason: "test_needs_admin_session" } },
    );
  }
  return resolved.session.id;
}
