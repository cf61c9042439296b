// Every response carries X-Request-Id: an incoming well-formed one is kept (so a load
// balancer's id follows the request through), otherwise a new uuid. The id is bound to the
// async context so every log line written while serving the request carries it.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { runWithRequestContext } from "../../shared/request-context";

const VALID_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get("x-request-id");
  const id = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = id;
  res.setHeader("X-Request-Id", id);
  runWithRequestContext({ requestId: id }, next);
};
