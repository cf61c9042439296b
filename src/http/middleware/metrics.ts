// Prometheus metrics: request count and latency by method, route template and status.
// Route templates (not raw paths) keep the label set bounded: /users/:id, never the ids.
import type { Request, RequestHandler } from "express";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "../../shared/logger";
import { redactPath } from "../../shared/redact";

export interface HttpMetrics {
  registry: Registry;
  middleware: RequestHandler;
}

/** The route template of a served request, built by mount() (http/mount.ts) and Express's own route. */
export function routeTemplate(req: Request, base: string | undefined): string {
  const route = req.route as { path?: string } | undefined;
  if (!route?.path) return "unmatched";
  const path = `${base ?? ""}${route.path === "/" && base ? "" : route.path}`;
  return path.replace(/\/\/+/g, "/") || "/";
}

export function createHttpMetrics(logger: Logger): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route template and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method, route template and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const labels = {
        method: req.method,
        route: routeTemplate(req, res.locals.routeBase as string | undefined),
        status: String(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, seconds);
      // winston formats a line before its transports drop it by level: ask first, since the
      // default level (info) drops this line on every request.
      if (!logger.isLevelEnabled("http")) return;
      // The path only, never the query string: it may carry codes or tokens; link paths lose their token.
      logger.http("request", {
        ...labels,
        path: redactPath(req.originalUrl.split("?")[0] ?? "/"),
        durationMs: Math.round(seconds * 1000),
      });
    });
    next();
  };
  return { registry, middleware };
}
