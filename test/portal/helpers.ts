// Form posts as a browser makes them: GET the page (which sets the CSRF cookie and holds the
// token in a hidden field), then POST the form with both.
import request from "supertest";
import type { TestApp } from "../support/app";

export interface FormSession {
  cookie: string;
  token: string;
}

/** GETs `path` with the session cookie; returns the cookies to send back and the page's CSRF token. */
export async function formSession(
  t: TestApp,
  sessionCookie: string | null,
  path: string,
): Promise<FormSession> {
  const req = request(t.app).get(path);
  if (sessionCookie) req.set("Cookie", sessionCookie);
  const res = await req;
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  if (!token) throw new Error(`no CSRF field on ${path} (status ${res.status})`);
  const set = ([] as string[]).concat(res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0] as string);
  return { cookie: [sessionCookie, ...set].filter(Boolean).join("; "), token };
}

export function postForm(t: TestApp, s: FormSession, path: string, fields: Record<string, string>) {
  return request(t.app)
    .post(path)
    .set("Cookie", s.cookie)
    .type("form")
    .send({ ...fields, _csrf: s.token });
}

/** The page's visible text, tags removed (assertions read what a person reads). */
export const textOf = (html: string): string =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ");
