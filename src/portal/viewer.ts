// Loads the View of a portal request: the signed-in person (from the session the admin API
// also reads), the header's SSO state, and this browser's CSRF token.
import type { Request, Response } from "express";
import { authOf } from "../http/auth";
import type { Services } from "../services";
import { certificateWarning, ssoSummaryOf } from "../sso/sso-state";
import type { View, Viewer } from "./view";

export const viewOf = (res: Response): View => res.locals.portalView as View;

export async function loadView(services: Services, req: Request, res: Response): Promise<View> {
  const auth = authOf(res);
  let viewer: Viewer | null = null;
  // The portal is for people: an API key is not a signed-in person, and a session still owing
  // its MFA step is not signed in yet.
  const now = services.clock();
  if (auth?.kind === "session" && auth.stage === "full") {
    const sso = await ssoSummaryOf(services.db.prisma, auth.orgId);
    viewer = {
      org: { id: auth.org.id, slug: auth.org.slug, name: auth.org.name },
      user: {
        id: auth.user.id,
        email: auth.user.email,
        firstName: auth.user.firstName,
        lastName: auth.user.lastName,
      },
      role: auth.role,
      breakGlass: auth.breakGlass,
      sso: sso.state,
      certificateWarning: certificateWarning(sso, now),
    };
  }
  const view: View = {
    viewer,
    csrf: services.csrf.token(req, res),
    requestId: res.locals.requestId as string,
    now,
  };
  res.locals.portalView = view;
  return view;
}
