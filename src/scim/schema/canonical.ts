// Turns a client's resource body into the canonical document: attribute names in the schema's
// own spelling, extension attributes under their URN, unknown and read-only attributes dropped
// (RFC 7644 3.3: ignored), `password` never kept, and values checked against their types with
// the clients' quirks coerced ("False" → false, a manager id sent as a bare string).
import { AppError } from "../../shared/errors";
import { parseAttrPath } from "../filter/parse";
import { resolveAttr, type AttrSpec, type SchemaIndex } from "./attributes";

export type Doc = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const invalidValue = (message: string): AppError =>
  new AppError("bad_request", message, { scimType: "invalidValue" });

/** Booleans: Entra sends "True"/"False" strings in PATCH values. */
function toBoolean(value: unknown, label: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw invalidValue(`${label} must be a boolean`);
}

function coerceSingle(spec: AttrSpec, value: unknown, label: string): unknown {
  if (value === null) return null;
  switch (spec.type) {
    case "boolean":
      return toBoolean(value, label);
    case "integer":
    case "decimal": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) throw invalidValue(`${label} must be a number`);
      return spec.type === "integer" ? Math.trunc(n) : n;
    }
    case "dateTime":
      if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
        throw invalidValue(`${label} must be a dateTime string`);
      return value;
    case "complex": {
      // Entra sends the manager as a bare id: {"path": "...:manager", "value": "<id>"}.
      if (typeof value === "string" && spec.subAttributes?.has("value")) return { value };
      if (!isObject(value)) throw invalidValue(`${label} must be an object`);
      const out: Doc = {};
      for (const [key, sub] of Object.entries(value)) {
        const subSpec = spec.subAttributes?.get(key.toLowerCase());
        if (!subSpec || subSpec.mutability === "readOnly" || sub === undefined) continue;
        out[subSpec.name] = coerceValue(subSpec, sub, `${label}.${subSpec.name}`);
      }
      return out;
    }
    default:
      if (typeof value === "number") return String(value);
      if (typeof value !== "string") throw invalidValue(`${label} must be a string`);
      return value;
  }
}

/** Checks and coerces one attribute's value (a single value is wrapped for a multi-valued one). */
export function coerceValue(spec: AttrSpec, value: unknown, label = spec.name): unknown {
  if (!spec.multiValued || value === null) return coerceSingle(spec, value, label);
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => coerceSingle(spec, item, `${label}[${i}]`));
}

/** Writes `value` at a resolved attribute of the document (extension attributes under their URN). */
export function setAt(doc: Doc, extension: string | null, name: string, value: unknown): void {
  const target = extension ? ((doc[extension] = isObject(doc[extension]) ? doc[extension] : {}) as Doc) : doc;
  target[name] = value;
}

/** Builds the canonical document of a resource body (POST, PUT, or a no-path PATCH value). */
export function canonicalize(schemas: SchemaIndex, body: unknown): Doc {
  if (!isObject(body)) throw invalidValue("the request body must be a JSON object");
  const doc: Doc = {};
  const put = (key: string, value: unknown) => {
    if (value === undefined || key.toLowerCase() === "schemas") return;
    const ext = schemas.extensions.get(key.toLowerCase());
    if (ext) {
      if (!isObject(value)) throw invalidValue(`${ext.urn} must be an object`);
      for (const [k, v] of Object.entries(value)) put(`${ext.urn}:${k}`, v);
      return;
    }
    let path;
    try {
      path = parseAttrPath(key, (m) => {
        throw new Error(m);
      });
    } catch {
      return; // not even an attribute name: unknown, ignored
    }
    const found = resolveAttr(schemas, path);
    // Unknown attributes are ignored; read-only ones (id, meta, groups) are the server's;
    // password is write-only and this service keeps none (sign-in goes through the IdP).
    if (!found || found.spec.mutability === "readOnly" || found.spec.name === "password") return;
    if (found.sub) {
      const parent = found.extension
        ? (doc[found.extension] as Doc | undefined)?.[found.spec.name]
        : doc[found.spec.name];
      const obj = isObject(parent) ? parent : {};
      obj[found.sub.name] = coerceValue(found.sub, value, `${found.spec.name}.${found.sub.name}`);
      setAt(doc, found.extension, found.spec.name, obj);
      return;
    }
    setAt(doc, found.extension, found.spec.name, coerceValue(found.spec, value));
  };
  for (const [key, value] of Object.entries(body)) put(key, value);
  return doc;
}
