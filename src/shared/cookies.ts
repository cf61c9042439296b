// Reading one cookie of a request: the session cookie, the CSRF cookie, the OIDC browser binding.
import type { Request } from "express";
import { parse as parseCookie } from "cookie";

export function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[name] : undefined;
}
