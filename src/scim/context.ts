// What every SCIM use case receives: the service context (the SCIM token as actor) plus the
// organization's own base URL, computed per request so that meta.location can never carry
// another organization's URL (no process-wide base path, unlike scimmy's static).
import type { Ctx } from "../shared/context";

export interface ScimCtx extends Ctx {
  /** `{BASE_URL}/scim/v2/{org}` of this request's organization. */
  baseUrl: string;
}

export const weakEtag = (version: number): string => `W/"${version}"`;
