// Attribute definitions of the User, EnterpriseUser and Group schemas, taken from scimmy's
// schema definitions (RFC 7643 section 4 and 8.7.1), indexed case-insensitively: SCIM
// attribute names are case-insensitive, and clients send "Name.GivenName" as readily as "name.givenName".
import SCIMMY from "scimmy";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export interface AttrSpec {
  name: string;
  type: string;
  multiValued: boolean;
  caseExact: boolean;
  mutability: string;
  subAttributes?: Map<string, AttrSpec>;
}

interface Described {
  name: string;
  type: string;
  multiValued?: boolean;
  caseExact?: boolean;
  mutability?: string;
  subAttributes?: Described[];
}

function index(attributes: Described[]): Map<string, AttrSpec> {
  const map = new Map<string, AttrSpec>();
  for (const a of attributes) {
    map.set(a.name.toLowerCase(), {
      name: a.name,
      type: a.type,
      multiValued: a.multiValued === true,
      caseExact: a.caseExact === true,
      mutability: a.mutability ?? "readWrite",
      ...(a.subAttributes ? { subAttributes: index(a.subAttributes) } : {}),
    });
  }
  return map;
}

// describe() returns attribute objects whose JSON form is the RFC 7643 7 definition: read that.
const describe = (schema: { definition: { describe(base?: string): unknown } }) =>
  index(
    (JSON.parse(JSON.stringify(schema.definition.describe("/Schemas"))) as { attributes: Described[] })
      .attributes,
  );

export interface SchemaIndex {
  /** The core schema's URN (lower-cased), and its attributes. */
  core: { urn: string; attrs: Map<string, AttrSpec> };
  /** Extension schemas by lower-cased URN. */
  extensions: Map<string, { urn: string; attrs: Map<string, AttrSpec> }>;
}

export const USER_SCHEMAS: SchemaIndex = {
  core: { urn: USER_SCHEMA, attrs: describe(SCIMMY.Schemas.User) },
  extensions: new Map([
    [
      ENTERPRISE_SCHEMA.toLowerCase(),
      { urn: ENTERPRISE_SCHEMA, attrs: describe(SCIMMY.Schemas.EnterpriseUser) },
    ],
  ]),
};

export const GROUP_SCHEMAS: SchemaIndex = {
  core: { urn: GROUP_SCHEMA, attrs: describe(SCIMMY.Schemas.Group) },
  extensions: new Map(),
};

/** Attributes common to every resource (RFC 7643 3.1). */
const COMMON = index([
  { name: "id", type: "string", caseExact: true, mutability: "readOnly" },
  { name: "externalId", type: "string", caseExact: true },
  {
    name: "meta",
    type: "complex",
    mutability: "readOnly",
    subAttributes: [
      { name: "created", type: "dateTime" },
      { name: "lastModified", type: "dateTime" },
      { name: "resourceType", type: "string" },
      { name: "location", type: "string" },
      { name: "version", type: "string" },
    ],
  },
]);

export interface ResolvedAttr {
  /** null for the core schema, else the extension's canonical URN. */
  extension: string | null;
  spec: AttrSpec;
  sub?: AttrSpec;
}

/** Finds an attribute (and sub-attribute) by name, or null when the schemas do not define it. */
export function resolveAttr(
  schemas: SchemaIndex,
  path: { urn?: string; attr: string; sub?: string },
): ResolvedAttr | null {
  let extension: string | null = null;
  let attrs = schemas.core.attrs;
  if (path.urn && path.urn !== schemas.core.urn.toLowerCase()) {
    const ext = schemas.extensions.get(path.urn);
    if (!ext) return null;
    extension = ext.urn;
    attrs = ext.attrs;
  }
  const key = path.attr.toLowerCase();
  const spec = attrs.get(key) ?? (extension ? undefined : COMMON.get(key));
  if (!spec) return null;
  if (!path.sub) return { extension, spec };
  const sub = spec.subAttributes?.get(path.sub.toLowerCase());
  return sub ? { extension, spec, sub } : null;
}
