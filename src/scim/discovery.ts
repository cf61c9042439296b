// The discovery endpoints (RFC 7644 4): ServiceProviderConfig, ResourceTypes and Schemas (the
// schema definitions are scimmy's). Every location is built from this organization's base URL.
import SCIMMY from "scimmy";
import { AppError } from "../shared/errors";
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from "./schema/attributes";
import { listResponse, MAX_PAGE_SIZE } from "./list-query";

type Described = { id: string } & Record<string, unknown>;

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "A SCIM token of the organization: Authorization: Bearer <token>",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Described[] {
  const type = (id: string, endpoint: string, schema: string, extensions: string[]) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
    id,
    name: id,
    endpoint: `/${endpoint}`,
    description: id === "User" ? "User Account" : "Group",
    schema,
    ...(extensions.length
      ? { schemaExtensions: extensions.map((s) => ({ schema: s, required: false })) }
      : {}),
    meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${id}` },
  });
  return [type("User", "Users", USER_SCHEMA, [ENTERPRISE_SCHEMA]), type("Group", "Groups", GROUP_SCHEMA, [])];
}

export function schemas(baseUrl: string): Described[] {
  // describe() takes the base path as an argument: nothing process-wide is read or written.
  return [SCIMMY.Schemas.User, SCIMMY.Schemas.EnterpriseUser, SCIMMY.Schemas.Group].map(
    (s) => s.definition.describe(`${baseUrl}/Schemas`) as unknown as Described,
  );
}

export const asList = (resources: Described[]): string =>
  listResponse(
    resources.length,
    1,
    resources.length,
    resources.map((r) => JSON.stringify(r)),
  );

export function one(resources: Described[], id: string, kind: string): Described {
  const found = resources.find((r) => r.id.toLowerCase() === id.toLowerCase());
  if (!found) throw new AppError("not_found", `no ${kind} ${id}`);
  return found;
}
