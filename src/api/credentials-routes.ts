// /api/v1/orgs/{org}/scim-tokens and /api-keys: list, create (the value is shown once),
// revoke. SCIM tokens need scim:write, API keys apikeys:write.
import { Router } from "express";
import { z } from "zod";
import { ctxOf, orgOf, requirePermission } from "../http/auth";
import type { CredentialKind } from "../credentials/credentials-service";
import type { Permission } from "../roles/permissions";
import type { Services } from "../services";

const createBody = z.object({ name: z.string().trim().min(1).max(100).optional() }).strict();

const KINDS: { path: string; kind: CredentialKind; permission: Permission; defaultName: string }[] = [
  { path: "scim-tokens", kind: "scim_token", permission: "scim:write", defaultName: "scim" },
  { path: "api-keys", kind: "api_key", permission: "apikeys:write", defaultName: "api" },
];

export function credentialsRoutes(services: Services): Router {
  const router = Router({ mergeParams: true });
  for (const { path, kind, permission, defaultName } of KINDS) {
    router.get(`/${path}`, requirePermission(permission), async (_req, res) => {
      res.json({ data: await services.credentials.list(kind, orgOf(res).id), nextCursor: null });
    });
    router.post(`/${path}`, requirePermission(permission), async (req, res) => {
      const { name } = createBody.parse(req.body ?? {});
      const created = await services.credentials.create(kind, ctxOf(res), name ?? defaultName);
      const body =
        kind === "scim_token"
          ? {
              id: created.id,
              name: created.name,
              token: created.token,
              scimBaseUrl: services.scimBaseUrl(orgOf(res).slug),
            }
          : { id: created.id, name: created.name, key: created.token };
      res.status(201).json(body);
    });
    router.delete(`/${path}/:id`, requirePermission(permission), async (req, res) => {
      await services.credentials.revoke(kind, ctxOf(res), z.uuid().parse(req.params.id));
      res.status(204).end();
    });
  }
  return router;
}
