// /api/v1/orgs/{org}/sso-connection: GET (users:read), PUT, enable, disable, DELETE, test (a
// pasted answer) and the results of round-trip test sign-ins (sso:write). Secrets are never
// part of an answer.
import { Router } from "express";
import { ctxOf, orgOf, requireAuthOf, requirePermission } from "../http/auth";
import type { Services } from "../services";
import { AppError } from "../shared/errors";
import { loadConnection } from "../sso/connection-store";
import { protocolOf } from "../sso/registry";
import { forceQuery } from "../roles/mappings-input";
import { readTestResult } from "../sso/test-sign-in/record-result";

export function ssoConnectionRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  const connections = services.ssoConnections;
  const write = requirePermission("sso:write");

  router.get("/sso-connection", requirePermission("users:read"), async (_req, res) => {
    res.json(await connections.get(ctxOf(res), orgOf(res)));
  });
  router.put("/sso-connection", write, async (req, res) => {
    const { created, connection } = await connections.put(ctxOf(res), orgOf(res), req.body);
    res.status(created ? 201 : 200).json(connection);
  });
  router.post("/sso-connection/enable", write, async (req, res) => {
    const { force } = forceQuery.parse(req.query);
    res.json(await connections.enable(ctxOf(res), orgOf(res), { force: force === "true" }));
  });
  router.post("/sso-connection/disable", write, async (_req, res) => {
    res.json(await connections.disable(ctxOf(res), orgOf(res)));
  });
  router.delete("/sso-connection", write, async (_req, res) => {
    await connections.remove(ctxOf(res));
    res.status(204).end();
  });
  router.post("/sso-connection/test", write, async (req, res) => {
    const ctx = ctxOf(res);
    const connection = await loadConnection(services.db.prisma, services.cipher, ctx.orgId);
    if (!connection) throw new AppError("not_found", "this organization has no SSO connection yet");
    const protocol = protocolOf(services.ssoProtocols, connection.protocol);
    if (!protocol.testSignIn) {
      throw new AppError(
        "bad_request",
        `testing a ${protocol.protocol} connection by pasting an answer is not supported`,
      );
    }
    res.json(await protocol.testSignIn(req.body, { ctx, org: orgOf(res), connection, req, res }));
  });
  // The result of a test sign-in, for the session that started it only (an API key has none).
  router.get("/sso-connection/test-results/:id", write, async (req, res) => {
    const auth = requireAuthOf(res);
    const result =
      auth.kind === "session"
        ? await readTestResult(services, auth.orgId, auth.sessionId, String(req.params.id))
        : null;
    if (!result) throw new AppError("not_found", "no test sign-in result of yours has this id");
    res.set("Cache-Control", "no-store").json(result);
  });
  return router;
}
