// `attributes` and `excludedAttributes` (RFC 7644 3.4.2.5, 3.9) on a presented resource.
// `id` and `schemas` are always returned. Paths may name sub-attributes ("name.givenName") and
// extension attributes by URN. The parsed projection also tells the loaders what they may skip
// (excludedAttributes=members must not load the members at all).
import { parseAttrPath } from "../filter/parse";
import { resolveAttr, type SchemaIndex } from "./attributes";
import { invalidValue, type Doc } from "./canonical";

interface Selected {
  extension: string | null;
  name: string;
  sub?: string;
}

export interface Projection {
  include: Selected[] | null;
  exclude: Selected[];
}

function parseList(schemas: SchemaIndex, raw: unknown): Selected[] {
  if (raw === undefined || raw === "") return [];
  if (typeof raw !== "string")
    throw invalidValue("attributes and excludedAttributes are comma-separated strings");
  const out: Selected[] = [];
  for (const part of raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const path = parseAttrPath(part, (m) => {
      throw invalidValue(m);
    });
    const found = resolveAttr(schemas, path);
    if (found) out.push({ extension: found.extension, name: found.spec.name, sub: found.sub?.name });
  }
  return out;
}

export function parseProjection(schemas: SchemaIndex, attributes: unknown, excluded: unknown): Projection {
  const include = parseList(schemas, attributes);
  return { include: attributes ? include : null, exclude: parseList(schemas, excluded) };
}

/** Whether the projection returns this top-level attribute at all. */
export function wants(p: Projection, name: string, extension: string | null = null): boolean {
  const same = (s: Selected) => s.name === name && s.extension === extension;
  if (p.exclude.some((s) => same(s) && !s.sub)) return false;
  return p.include === null || p.include.some(same);
}

const pick = (obj: unknown, subs: string[]): unknown => {
  if (typeof obj !== "object" || obj === null) return obj;
  const keep = (o: Doc) => Object.fromEntries(Object.entries(o).filter(([k]) => subs.includes(k)));
  return Array.isArray(obj) ? obj.map((o) => keep(o as Doc)) : keep(obj as Doc);
};

const drop = (obj: unknown, subs: string[]): unknown => {
  if (typeof obj !== "object" || obj === null) return obj;
  const without = (o: Doc) => Object.fromEntries(Object.entries(o).filter(([k]) => !subs.includes(k)));
  return Array.isArray(obj) ? obj.map((o) => without(o as Doc)) : without(obj as Doc);
};

function filterLevel(level: Doc, p: Projection, extension: string | null): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(level)) {
    const sel = (s: Selected) => s.name === key && s.extension === extension;
    if (p.exclude.some((s) => sel(s) && !s.sub)) continue;
    let v = value;
    if (p.include) {
      const inc = p.include.filter(sel);
      if (inc.length === 0) continue;
      if (!inc.some((s) => !s.sub))
        v = pick(
          v,
          inc.map((s) => s.sub as string),
        );
    }
    const subs = p.exclude.filter((s) => sel(s) && s.sub).map((s) => s.sub as string);
    out[key] = subs.length ? drop(v, subs) : v;
  }
  return out;
}

export function project(resource: Doc, p: Projection, extensionUrns: string[]): Doc {
  if (!p.include && p.exclude.length === 0) return resource;
  const { schemas, id, ...rest } = resource;
  const core: Doc = {};
  const exts: Doc = {};
  for (const [k, v] of Object.entries(rest)) (extensionUrns.includes(k) ? exts : core)[k] = v;
  const out: Doc = { schemas, id, ...filterLevel(core, p, null) };
  for (const [urn, v] of Object.entries(exts)) {
    const level = filterLevel(v as Doc, p, urn);
    if (Object.keys(level).length > 0) out[urn] = level;
  }
  return out;
}
