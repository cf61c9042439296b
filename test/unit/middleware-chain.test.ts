// chain(): the app-level middlewares as one layer, through a real Express app and HTTP. It must
// behave as the app.use() calls it replaced: order, prefixes, answers and the three ways to fail.
import { AsyncLocalStorage } from "node:async_hooks";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import request from "supertest";
import { chain } from "../../src/http/middleware/chain";

const mark =
  (name: string): RequestHandler =>
  (_req, res, next) => {
    res.locals.seen = [...((res.locals.seen as string[] | undefined) ?? []), name];
    next();
  };

function appWith(...steps: Parameters<typeof chain>) {
  const app = express();
  app.use(chain(...steps));
  app.use((req, res) => {
    res.json({ seen: res.locals.seen ?? [], path: req.path, url: req.url });
  });
  const onError: ErrorRequestHandler = (err: Error, _req, res, _next) => {
    res.status(500).json({ error: err.message, seen: res.locals.seen ?? [] });
  };
  app.use(onError);
  return app;
}

describe("chain", () => {
  test("when a request passes, then every step runs in order and the prefixed ones only under their prefix", async () => {
    const app = appWith(mark("a"), ["/scim", mark("scim")], ["/api", mark("api")], mark("b"));
    expect((await request(app).get("/scim/v2/acme/Users")).body).toEqual({
      seen: ["a", "scim", "b"],
      path: "/scim/v2/acme/Users",
      url: "/scim/v2/acme/Users",
    });
    expect((await request(app).get("/SCIM")).body.seen).toEqual(["a", "scim", "b"]);
    expect((await request(app).get("/scimx/Users")).body.seen).toEqual(["a", "b"]);
    expect((await request(app).get("/api/v1/me?x=1")).body.seen).toEqual(["a", "api", "b"]);
  });

  test("when a step answers, then no later step and nothing after the chain runs", async () => {
    const ran: string[] = [];
    const app = express();
    app.use(
      chain(
        (_req, res) => void res.status(503).json({ busy: true }),
        (_req, _res, next) => (ran.push("later step"), next()),
      ),
    );
    app.use((_req, _res, next) => (ran.push("after the chain"), next()));
    const res = await request(app).get("/x");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ busy: true });
    expect(ran).toEqual([]);
  });

  test.each([
    ["passes an error to next()", ((_req, _res, next) => next(new Error("boom"))) as RequestHandler],
    [
      "throws",
      (() => {
        throw new Error("boom");
      }) as RequestHandler,
    ],
    ["rejects", (async () => Promise.reject(new Error("boom"))) as RequestHandler],
  ])("when a step %s, then the error handler gets it and the later steps are skipped", async (_how, fail) => {
    const res = await request(appWith(mark("a"), fail, mark("b"))).get("/x");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: "boom", seen: ["a"] });
  });

  test("when a step runs the rest in an async context, then the handlers after the chain see it", async () => {
    const store = new AsyncLocalStorage<string>();
    const app = express();
    app.use(chain(mark("a"), (_req, _res, next) => store.run("ctx-1", next)));
    app.get("/x", async (_req, res) => {
      await new Promise((resolve) => setImmediate(resolve));
      res.json({ ctx: store.getStore() ?? null });
    });
    expect((await request(app).get("/x")).body).toEqual({ ctx: "ctx-1" });
  });
});
