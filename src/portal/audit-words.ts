// An audit event as a line a person reads: who did what, with the reason code where there is one.
import type { AuditEventView } from "../audit/list-events";

const ACTOR_WORDS: Record<string, string> = {
  scim_token: "SCIM",
  idp: "the identity provider",
  cli: "the command line",
  system: "sso-bridge",
  api_key: "an API key",
};

export function actorWords(e: Pick<AuditEventView, "actorType" | "actorName">): string {
  if (e.actorType === "user") return e.actorName ?? "a user";
  const kind = ACTOR_WORDS[e.actorType] ?? e.actorType;
  return e.actorName && e.actorType !== "idp" ? `${kind} (${e.actorName})` : kind;
}

export function auditWords(e: AuditEventView): string {
  const data = (e.data ?? {}) as Record<string, unknown>;
  const reason = typeof data.reason === "string" ? ` (${data.reason})` : "";
  return `${e.action.replace(/[._]/g, " ")} by ${actorWords(e)}${reason}`;
}
