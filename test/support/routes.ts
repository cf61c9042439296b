// Every route of the app, found by walking Express's router stack through mount()'s registry
// (so a route added later is found too): the hostile-input test calls each one, and the OpenAPI
// test holds the admin API's routes equal to the document's operations.
import { mountedAt } from "../../src/http/mount";

export interface RouteOf {
  method: string;
  /** The Express path, e.g. /api/v1/orgs/:org/users/:id */
  path: string;
}

interface LayerLike {
  route?: { path: string; methods: Record<string, boolean> };
  handle: unknown;
}

/** Every route under `router`: routes, routers used without a path, and mount()ed subtrees. */
export function routesOf(router: unknown, prefix = ""): RouteOf[] {
  const stack = (router as { stack?: LayerLike[] }).stack ?? [];
  return stack.flatMap((layer): RouteOf[] => {
    if (layer.route)
      return Object.keys(layer.route.methods)
        .filter((m) => m !== "_all")
        .map((method) => ({ method, path: prefix + layer.route!.path }));
    const mounted = mountedAt(layer.handle);
    if (mounted) return routesOf(mounted.router, prefix + mounted.pattern);
    return routesOf(layer.handle, prefix);
  });
}

/** The routes an Express app serves. */
export const appRoutes = (app: unknown): RouteOf[] => routesOf((app as { router: unknown }).router);
