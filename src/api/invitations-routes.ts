// /api/v1/orgs/{org}/invitations: list (users:read); create, resend and rescind (users:write,
// behind the SSO guard). Create and resend answer each invitation's id and, outside
// production, its invitationUrl.
import { z } from "zod";
import { ctxOf, orgOf } from "../http/auth";
import { defineRoute, typedRouter } from "../http/typed-route";
import { requireSsoOff } from "../http/require-sso-off";
import { inviteBody } from "../users/invitations/invite-users";
import { listInvitationsQuery } from "../users/invitations/manage-invitations";
import { invitationSchema, sentInvitationSchema } from "../users/invitations/invitation-schema";
import type { Services } from "../services";
import { orgParams, pageOf } from "./schemas";

const invitationParams = orgParams.extend({ id: z.uuid({ error: "is not an invitation id" }) });
const tags = ["Invitations"];
const SSO_ON = "SSO is on (sso_enforced): users come from the identity provider";
const NOT_PENDING = "The invitation was accepted, replaced or rescinded already";

export const listInvitationsRoute = defineRoute({
  method: "get",
  path: "/orgs/{org}/invitations",
  summary: "The pending invitations, oldest first",
  tags,
  permission: "users:read",
  params: orgParams,
  query: listInvitationsQuery,
  responses: { 200: pageOf(invitationSchema) },
});

export const inviteRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/invitations",
  summary: "Invite one or many people, all or nothing (refused while SSO is on)",
  tags,
  permission: "users:write",
  params: orgParams,
  body: inviteBody,
  responses: { 201: z.object({ invitations: z.array(sentInvitationSchema) }) },
  errors: { 409: `${SSO_ON}; or the seats left are fewer than the invitations (seat_limit)` },
});

export const resendInvitationRoute = defineRoute({
  method: "post",
  path: "/orgs/{org}/invitations/{id}/resend",
  summary: "Send a new link; the old one stops working (refused while SSO is on)",
  tags,
  permission: "users:write",
  params: invitationParams,
  responses: { 200: sentInvitationSchema },
  errors: { 404: "No such invitation in this organization", 409: `${SSO_ON}; or ${NOT_PENDING}` },
});

export const rescindInvitationRoute = defineRoute({
  method: "delete",
  path: "/orgs/{org}/invitations/{id}",
  summary: "Rescind an invitation: the invited user goes and the seat is freed (refused while SSO is on)",
  tags,
  permission: "users:write",
  params: invitationParams,
  responses: { 204: null },
  errors: { 404: "No such invitation in this organization", 409: `${SSO_ON}; or ${NOT_PENDING}` },
});

export const INVITATIONS_ROUTES = [
  listInvitationsRoute,
  inviteRoute,
  resendInvitationRoute,
  rescindInvitationRoute,
];

export function invitationsRoutes(services: Services) {
  const { router, add } = typedRouter("/orgs/{org}");
  const ssoOff = requireSsoOff(services.db.prisma);

  add(listInvitationsRoute, async ({ query, res }) => services.users.listInvitations(orgOf(res).id, query));
  add(inviteRoute, ssoOff, async ({ body, res }) => services.users.invite(ctxOf(res), body));
  add(resendInvitationRoute, ssoOff, async ({ params, res }) =>
    services.users.resendInvitation(ctxOf(res), params.id),
  );
  add(rescindInvitationRoute, ssoOff, async ({ params, res }) => {
    await services.users.rescindInvitation(ctxOf(res), params.id);
  });
  return router;
}
