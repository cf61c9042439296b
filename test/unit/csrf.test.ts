// The CSRF token module on a small app of its own: the cookie it sets, the token it signs,
// and what verify accepts and refuses. The routes that use it are tested through the real app.
import express from "express";
import request from "supertest";
import { createCsrf, CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, formBody } from "../../src/http/csrf";
import { errorHandler } from "../../src/http/error-handler";
import { createLogger } from "../../src/shared/logger";

const SECRET = "a-secret-key-of-at-least-32-characters!!";

function appWith(secureCookies = false, secret = SECRET) {
  const csrf = createCsrf(secret, { secureCookies });
  const app = express();
  app.get("/form", (req, res) => {
    res.json({ first: csrf.token(req, res), second: csrf.token(req, res) });
  });
  app.use(formBody, csrf.verify);
  app.all("/write", (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler(createLogger("error")));
  return app;
}

async function tokenAndCookie(app: express.Express) {
  const res = await request(app).get("/form").expect(200);
  const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  const line = setCookie.find((c) => c.startsWith(`${CSRF_COOKIE}=`)) as string;
  return { token: (res.body as { first: string }).first, cookie: line.split(";")[0] as string, line };
}

describe("CSRF tokens (signed double-submit cookie)", () => {
  test("when a page asks for a token, then an HttpOnly SameSite=Lax sb_csrf cookie on path / is set once and the token is base64url", async () => {
    const app = appWith();
    const res = await request(app).get("/form").expect(200);
    const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^sb_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const body = res.body as { first: string; second: string };
    expect(body.first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.second).toBe(body.first);
    expect(setCookie[0]).not.toContain(body.first);
  });

  test("when BASE_URL is https, then the cookie is Secure", async () => {
    const { line } = await tokenAndCookie(appWith(true));
    expect(line).toContain("; Secure");
  });

  test("when the browser already has the cookie, then no new cookie is set and the token is the same", async () => {
    const app = appWith();
    const { token, cookie } = await tokenAndCookie(app);
    const again = await request(app).get("/form").set("Cookie", cookie).expect(200);
    expect(again.headers["set-cookie"]).toBeUndefined();
    expect((again.body as { first: string }).first).toBe(token);
  });

  test("when a form posts the token in _csrf with its cookie, then it is accepted", async () => {
    const app = appWith();
    const { token, cookie } = await tokenAndCookie(app);
    await request(app)
      .post("/write")
      .set("Cookie", cookie)
      .type("form")
      .send({ [CSRF_FIELD]: token, name: "x" })
      .expect(200, { ok: true });
  });

  test("when a script sends the token in the x-csrf-token header, then PUT, PATCH and DELETE are accepted", async () => {
    const app = appWith();
    const { token, cookie } = await tokenAndCookie(app);
    for (const method of ["put", "patch", "delete"] as const) {
      await request(app)[method]("/write").set("Cookie", cookie).set(CSRF_HEADER, token).expect(200);
    }
  });

  test("when the token is missing, then 403 csrf_failed", async () => {
    const app = appWith();
    const { cookie } = await tokenAndCookie(app);
    const res = await request(app).post("/write").set("Cookie", cookie).type("form").send({ name: "x" });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "csrf_failed", status: 403 });
  });

  test("when the token belongs to another browser's cookie, then 403 csrf_failed", async () => {
    const app = appWith();
    const mine = await tokenAndCookie(app);
    const theirs = await tokenAndCookie(app);
    const res = await request(app).post("/write").set("Cookie", mine.cookie).set(CSRF_HEADER, theirs.token);
    expect(res.status).toBe(403);
    expect((res.body as { code: string }).code).toBe("csrf_failed");
  });

  test("when the token was signed with another secret, then 403 csrf_failed", async () => {
    const other = await tokenAndCookie(appWith(false, "another-secret-key-of-32-characters-or-more"));
    const res = await request(appWith())
      .post("/write")
      .set("Cookie", other.cookie)
      .set(CSRF_HEADER, other.token);
    expect(res.status).toBe(403);
  });

  test("when the cookie is absent, then 403 csrf_failed even with a token", async () => {
    const app = appWith();
    const { token } = await tokenAndCookie(app);
    const res = await request(app).post("/write").set(CSRF_HEADER, token);
    expect(res.status).toBe(403);
    expect((res.body as { code: string }).code).toBe("csrf_failed");
  });

  test("when the cookie is set to the token itself (a naive double submit), then 403 csrf_failed", async () => {
    const app = appWith();
    const { token } = await tokenAndCookie(app);
    const res = await request(app)
      .post("/write")
      .set("Cookie", `${CSRF_COOKIE}=${token}`)
      .set(CSRF_HEADER, token);
    expect(res.status).toBe(403);
  });

  test("when the request is a GET, then no token is needed", async () => {
    await request(appWith()).get("/write").expect(200, { ok: true });
  });
});
