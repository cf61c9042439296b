// What every portal page knows about the request: who is signed in, in which organization,
// the state of single sign-on for the header badge, the CSRF token for its forms and the
// request id for its error messages. Built once per request by the router.
import type { Role } from "../generated/prisma/client";
import type { SsoState } from "../sso/sso-state";

export type NavKey =
  | "overview"
  | "users"
  | "groups"
  | "sso"
  | "scim"
  | "activity"
  | "audit"
  | "settings"
  | "profile"
  | "invitations";

export interface Viewer {
  org: { id: string; slug: string; name: string };
  user: { id: string; email: string; firstName: string | null; lastName: string | null };
  role: Role | null;
  /** A break-glass session (sso-bridge recover): acts as Admin. */
  breakGlass: boolean;
  sso: SsoState;
  /** Hours until the IdP signing certificate expires, when it is within the warning window. */
  certificateWarning?: { daysLeft: number; notAfter: Date } | null;
}

export interface View {
  viewer: Viewer | null;
  csrf: string;
  requestId: string;
  /** "now" for relative dates: the services' clock, so tests can pin it. */
  now: Date;
}

export const isAdmin = (v: Viewer | null): boolean => v?.role === "Admin";

export const displayName = (
  u: Viewer["user"] | { firstName: string | null; lastName: string | null; email: string },
): string => [u.firstName, u.lastName].filter(Boolean).join(" ") || u.email;
