// Who is acting, for which organization, in which request: the first argument of every
// service function. Services never see req/res.

export type ActorType = "user" | "api_key" | "scim_token" | "cli" | "system" | "idp";

export interface Actor {
  type: ActorType;
  id?: string;
  name?: string;
}

export interface Ctx {
  orgId: string;
  actor: Actor;
  requestId?: string;
}

export const systemActor = (name = "system"): Actor => ({ type: "system", name });
export const cliActor: Actor = { type: "cli", name: "sso-bridge CLI" };
