// GET /api/v1/openapi.json: this API's description, public like the API's existence. The spec
// alone lives here (route-specs.ts lists it); router.ts serves it.
import { z } from "zod";
import { defineRoute } from "../http/typed-route";

export const openApiRoute = defineRoute({
  method: "get",
  path: "/openapi.json",
  summary: "This document (OpenAPI 3.1)",
  tags: ["Meta"],
  auth: "none",
  responses: { 200: z.record(z.string(), z.unknown()).describe("The OpenAPI document") },
});
