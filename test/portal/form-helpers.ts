// Posting a portal form as a browser would: read the page (its CSRF field and cookie), then
// post the form fields with both.
import request from "supertest";
import type { TestApp } from "../support/app";

export async function formToken(t: TestApp, path: string, cookie: string) {
  const res = await request(t.app).get(path).set("Cookie", cookie).set("Accept", "text/html").expect(200);
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
  const csrfCookie = ([] as string[])
    .concat(res.headers["set-cookie"] ?? [])
    .find((c) => c.startsWith("sb_csrf="))
    ?.split(";")[0];
  if (!token || !csrfCookie) throw new Error(`no CSRF token on ${path}`);
  return { token, cookie: `${cookie}; ${csrfCookie}`, page: res };
}

export async function postForm(t: TestApp, from: string, action: string, cookie: string, fields: object) {
  const { token, cookie: both } = await formToken(t, from, cookie);
  return request(t.app)
    .post(action)
    .set("Cookie", both)
    .set("Accept", "text/html")
    .type("form")
    .send({ ...fields, _csrf: token });
}
