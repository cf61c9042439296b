// Applies PATCH operations to a resource's canonical document (RFC 7644 3.5.2), one resource in
// memory. Handles the clients' shapes: no-path add/replace with a value object (dotted keys and
// URN keys inside), value-path filters with or without a sub-attribute (a replace that matches
// nothing creates the element, as Entra expects for `emails[type eq "work"].value`), and
// remove with a value list (Entra's pre-2020 shape: remove only the listed elements).
import { equalities, matches } from "../filter/evaluate";
import { canonicalize, coerceValue, invalidValue, setAt, type Doc } from "../schema/canonical";
import { resolveAttr, type AttrSpec, type SchemaIndex } from "../schema/attributes";
import type { PatchOperation } from "./operations";
import { AppError } from "../../shared/errors";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const sameItem = (a: unknown, b: unknown): boolean => {
  if (isObject(a) && isObject(b) && "value" in a && "value" in b) {
    const [x, y] = [a.value, b.value];
    return typeof x === "string" && typeof y === "string" ? x.toLowerCase() === y.toLowerCase() : x === y;
  }
  return JSON.stringify(a) === JSON.stringify(b);
};

function getAt(doc: Doc, extension: string | null, name: string): unknown {
  const target = extension ? doc[extension] : doc;
  return isObject(target) ? target[name] : undefined;
}

function deleteAt(doc: Doc, extension: string | null, name: string): void {
  const target = extension ? doc[extension] : doc;
  if (isObject(target)) delete target[name];
}

/** Merges one canonical attribute value into the document (add appends to multi-valued ones). */
function mergeAttr(
  doc: Doc,
  extension: string | null,
  spec: AttrSpec,
  value: unknown,
  op: "add" | "replace",
) {
  const current = getAt(doc, extension, spec.name);
  if (spec.multiValued && op === "add" && Array.isArray(value)) {
    const list = Array.isArray(current) ? [...current] : [];
    for (const item of value) if (!list.some((x) => sameItem(x, item))) list.push(item);
    setAt(doc, extension, spec.name, list);
  } else if (!spec.multiValued && isObject(value) && isObject(current)) {
    setAt(doc, extension, spec.name, { ...current, ...value });
  } else {
    setAt(doc, extension, spec.name, value);
  }
}

function applyNoPath(schemas: SchemaIndex, doc: Doc, op: "add" | "replace", value: unknown): void {
  const partial = canonicalize(schemas, value);
  for (const [key, val] of Object.entries(partial)) {
    const ext = schemas.extensions.get(key.toLowerCase());
    if (ext && isObject(val)) {
      for (const [name, v] of Object.entries(val)) {
        const spec = ext.attrs.get(name.toLowerCase());
        if (spec) mergeAttr(doc, ext.urn, spec, v, op);
      }
      continue;
    }
    const spec = schemas.core.attrs.get(key.toLowerCase()) ?? resolveAttr(schemas, { attr: key })?.spec;
    if (spec) mergeAttr(doc, null, spec, val, op);
  }
}

function applyFiltered(doc: Doc, found: NonNullable<ReturnType<typeof resolveAttr>>, op: PatchOperation) {
  const { extension, spec, sub } = found;
  const filter = op.path!.filter!;
  const list = getAt(doc, extension, spec.name);
  const items: unknown[] = Array.isArray(list) ? [...list] : [];
  const hits = items.map((item) => matches(filter, item));
  if (op.op === "remove") {
    const kept = sub
      ? items.map((item, i) => (hits[i] && isObject(item) ? omit(item, sub.name) : item))
      : items.filter((_, i) => !hits[i]);
    setAt(doc, extension, spec.name, kept);
    return;
  }
  const value = sub
    ? coerceValue(sub, op.value, `${spec.name}.${sub.name}`)
    : coerceValue({ ...spec, multiValued: false }, op.value);
  const patchOf = (item: unknown) =>
    sub
      ? { ...(isObject(item) ? item : {}), [sub.name]: value }
      : { ...(isObject(item) ? item : {}), ...(value as Doc) };
  if (hits.some(Boolean)) {
    setAt(
      doc,
      extension,
      spec.name,
      items.map((item, i) => (hits[i] ? patchOf(item) : item)),
    );
    return;
  }
  const seed = equalities(filter);
  if (!seed)
    throw new AppError("bad_request", `no ${spec.name} value matches ${op.rawPath}`, {
      scimType: "noTarget",
    });
  const canonicalSeed: Doc = {};
  for (const [k, v] of Object.entries(seed)) {
    const subSpec = spec.subAttributes?.get(k.toLowerCase());
    if (subSpec) canonicalSeed[subSpec.name] = coerceValue(subSpec, v);
  }
  setAt(doc, extension, spec.name, [...items, patchOf(canonicalSeed)]);
}

const omit = (obj: Record<string, unknown>, key: string) => {
  const copy = { ...obj };
  delete copy[key];
  return copy;
};

function applyPath(schemas: SchemaIndex, doc: Doc, op: PatchOperation): void {
  const found = resolveAttr(schemas, op.path!.path);
  // Unknown attributes are ignored, like in a create (RFC 7644 3.3); read-only ones are the server's.
  if (!found || found.spec.mutability === "readOnly" || found.spec.name === "password") return;
  if (op.path!.filter) {
    if (!found.spec.multiValued)
      throw invalidValue(`${found.spec.name} is not multi-valued: no filter applies`);
    return applyFiltered(doc, found, op);
  }
  const { extension, spec, sub } = found;
  if (sub) {
    const current = getAt(doc, extension, spec.name);
    if (spec.multiValued) {
      const items = Array.isArray(current) ? current : [];
      const value = op.op === "remove" ? undefined : coerceValue(sub, op.value);
      setAt(
        doc,
        extension,
        spec.name,
        items.map((it) =>
          value === undefined ? omit(it as Doc, sub.name) : { ...(it as Doc), [sub.name]: value },
        ),
      );
      return;
    }
    const obj = isObject(current) ? { ...current } : {};
    if (op.op === "remove") delete obj[sub.name];
    else obj[sub.name] = coerceValue(sub, op.value, `${spec.name}.${sub.name}`);
    setAt(doc, extension, spec.name, obj);
    return;
  }
  if (op.op === "remove") {
    const current = getAt(doc, extension, spec.name);
    if (spec.multiValued && op.value !== undefined && Array.isArray(current)) {
      const drop = coerceValue(spec, op.value) as unknown[];
      setAt(
        doc,
        extension,
        spec.name,
        current.filter((item) => !drop.some((d) => sameItem(item, d))),
      );
    } else deleteAt(doc, extension, spec.name);
    return;
  }
  mergeAttr(doc, extension, spec, coerceValue(spec, op.value), op.op);
}

/** Returns a new document with the operations applied in order. */
export function applyPatch(schemas: SchemaIndex, doc: Doc, ops: PatchOperation[]): Doc {
  const next = structuredClone(doc);
  for (const op of ops) {
    if (!op.path) applyNoPath(schemas, next, op.op as "add" | "replace", op.value);
    else applyPath(schemas, next, op);
  }
  return next;
}
