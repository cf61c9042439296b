// What a browser does before posting one of our forms: open the page, keep the CSRF cookie
// it sets, and send back the hidden _csrf field with the form.
import request from "supertest";
import type { Express } from "express";
import { CSRF_COOKIE, CSRF_FIELD } from "../../src/http/csrf";

export interface OpenedForm {
  /** The Cookie header value to send with the post (the sb_csrf cookie). */
  cookie: string;
  /** The hidden field's value. */
  token: string;
}

export async function openForm(app: Express | string, path: string, cookie?: string): Promise<OpenedForm> {
  const get = request(app).get(path);
  if (cookie) get.set("Cookie", cookie);
  const page = await get.expect(200);
  const field = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(page.text);
  if (!field) throw new Error(`no ${CSRF_FIELD} field on ${path}`);
  const set = ([] as string[]).concat(page.headers["set-cookie"] ?? []);
  const csrfCookie = set.find((c) => c.startsWith(`${CSRF_COOKIE}=`))?.split(";")[0];
  const cookies = [cookie, csrfCookie].filter((c): c is string => Boolean(c));
  return { cookie: cookies.join("; "), token: field[1] as string };
}

/** Opens one of our form pages and posts it back as a browser does, with its CSRF token. */
export async function submitForm(
  app: Express,
  path: string,
  fields: Record<string, string> = {},
): Promise<request.Response> {
  const form = await openForm(app, path);
  return request(app)
    .post(path)
    .set("Cookie", form.cookie)
    .type("form")
    .send({ ...fields, [CSRF_FIELD]: form.token });
}

/** The session cookie (`name=value`) a sign-in answer set, leaving the CSRF cookie aside. */
export function sessionCookieOf(res: request.Response): string {
  const set = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  const session = set.find((c) => !c.startsWith(`${CSRF_COOKIE}=`));
  if (!session) throw new Error("the answer set no session cookie");
  return session.split(";")[0]!;
}
