// Mounts handlers under a path pattern and remembers the pattern (not the matched path) so
// that metrics and logs can label requests by route template: /api/v1/orgs/:org/settings,
// never /api/v1/orgs/acme/settings. If the mounted handlers pass the request on, the
// pattern is forgotten again.
// Use it for every router that has path parameters.
import { Router, type RequestHandler } from "express";

const MOUNTS = new WeakMap<RequestHandler, { pattern: string; router: RequestHandler }>();

/** What mount() put behind a handler of the parent's stack: lets a test walk every route. */
export const mountedAt = (handle: unknown) => MOUNTS.get(handle as RequestHandler);

const isRouter = (h: RequestHandler | undefined): h is Router => Array.isArray((h as Partial<Router>)?.stack);

export function mount(parent: Router, pattern: string, ...handlers: RequestHandler[]): void {
  // A lone router is called as it is: a router around it would only add its own work to every
  // request (and any other handler needs one, which forwards its rejected promises).
  let sub: RequestHandler;
  if (handlers.length === 1 && isRouter(handlers[0])) sub = handlers[0];
  else {
    const router = Router({ mergeParams: true });
    router.use(...handlers);
    sub = router;
  }
  const handle: RequestHandler = (req, res, next) => {
    const previous = res.locals.routeBase as string | undefined;
    res.locals.routeBase = `${previous ?? ""}${pattern}`;
    sub(req, res, (err?: unknown) => {
      // An error keeps the pattern (the route did match); falling through forgets it.
      if (err === undefined || err === "route" || err === "router") res.locals.routeBase = previous;
      next(err);
    });
  };
  MOUNTS.set(handle, { pattern, router: sub });
  parent.use(pattern, handle);
}
