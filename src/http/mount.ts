// Mounts handlers under a path pattern and remembers the pattern (not the matched path) so
// that metrics and logs can label requests by route template: /api/v1/orgs/:org/settings,
// never /api/v1/orgs/acme/settings. If the mounted handlers pass the request on, the
// pattern is forgotten again.
// Use it for every router that has path parameters.
import { Router, type RequestHandler } from "express";

export function mount(parent: Router, pattern: string, ...handlers: RequestHandler[]): void {
  const sub = Router({ mergeParams: true });
  sub.use(...handlers);
  parent.use(pattern, (req, res, next) => {
    const previous = res.locals.routeBase as string | undefined;
    res.locals.routeBase = `${previous ?? ""}${pattern}`;
    sub(req, res, (err?: unknown) => {
      // An error keeps the pattern (the route did match); falling through forgets it.
      if (err === undefined || err === "route" || err === "router") res.locals.routeBase = previous;
      next(err);
    });
  });
}
