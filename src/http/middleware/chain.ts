// The app-level middlewares that every request passes, run as one layer of Express's router.
// Why: each layer of the router costs a request a match, a params merge and stores on the
// request object whose prototype Express swapped (no fast property access after that); 13 of
// them cost a `userName eq` lookup a median 33 µs more than one layer doing the same
// (bench/express-layers.ts; docs/decisions.md, "The app-level middlewares run as one layer").
// The semantics kept are the ones those middlewares use: a step runs when the request's path is
// under its prefix (as app.use(prefix, …) matches: case-insensitive, whole segments); a step
// answers, or passes on with next(), or fails with next(err), a throw or a rejected promise,
// and a failure skips the remaining steps for the error handlers after the chain.
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** A step: a handler for every request, or one for the paths under a prefix ("/scim"). */
export type ChainStep = RequestHandler | [prefix: string, handler: RequestHandler];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function chain(...steps: ChainStep[]): RequestHandler {
  const compiled = steps.map((step) =>
    typeof step === "function"
      ? { under: null, handle: step }
      : { under: new RegExp(`^${escape(step[0])}(?:/|$)`, "i"), handle: step[1] },
  );
  return (req: Request, res: Response, done: NextFunction) => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err) return done(err);
      while (index < compiled.length) {
        const step = compiled[index++]!;
        if (step.under && !step.under.test(req.path)) continue;
        try {
          const result = step.handle(req, res, next) as unknown;
          if (result instanceof Promise) result.catch((e: unknown) => done(e ?? new Error("rejected")));
        } catch (e) {
          done(e);
        }
        return;
      }
      done();
    };
    next();
  };
}
