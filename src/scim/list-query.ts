// The query of a SCIM list (RFC 7644 3.4.2): filter, 1-based startIndex, count capped at the
// page size advertised in ServiceProviderConfig, attributes / excludedAttributes. Lenient
// where the RFC says so: startIndex < 1 is 1, a negative count is 0, a count above the page
// size is the page size however large; a startIndex past MAX_START_INDEX is invalidValue
// (no organization has that many users; below it, a start past the last user is an empty page).
import { AppError } from "../shared/errors";
import { parseFilter, type Filter } from "./filter/parse";
import { LIST_SCHEMA } from "./schema/attributes";
import { invalidValue } from "./schema/canonical";

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_START_INDEX = 2_147_483_647;

export interface ListQuery {
  filter: Filter | null;
  startIndex: number;
  count: number;
  attributes: unknown;
  excludedAttributes: unknown;
}

function int(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalidValue(`${name} must be an integer`);
  return n;
}

export function parseListQuery(query: Record<string, unknown>): ListQuery {
  // A filter that is not text (a POST .search body's number or object) must not read as none.
  if (query.filter !== undefined && query.filter !== null && typeof query.filter !== "string")
    throw new AppError("bad_request", "invalid filter: filter must be a string", {
      scimType: "invalidFilter",
    });
  const filter =
    typeof query.filter === "string" && query.filter.trim() !== "" ? parseFilter(query.filter) : null;
  const startIndex = Math.max(1, int(query.startIndex, "startIndex") ?? 1);
  if (startIndex > MAX_START_INDEX)
    throw invalidValue(`startIndex must be an integer from 1 to ${MAX_START_INDEX}`);
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, int(query.count, "count") ?? DEFAULT_PAGE_SIZE));
  return {
    filter,
    startIndex,
    count,
    attributes: query.attributes,
    excludedAttributes: query.excludedAttributes,
  };
}

/** A ListResponse (RFC 7644 3.4.2) as JSON text, around `itemsPerPage` resources that are JSON
 * text already, alone or joined by commas (users come serialised by PostgreSQL, see
 * users/resource-sql.ts). */
export const listResponse = (
  total: number,
  startIndex: number,
  itemsPerPage: number,
  resources: string[],
): string =>
  `{"schemas":${JSON.stringify([LIST_SCHEMA])},"totalResults":${total},"startIndex":${startIndex},` +
  `"itemsPerPage":${itemsPerPage},"Resources":[${resources.join(",")}]}`;

/** If-Match (RFC 7644 3.14): "*" or the current weak or strong tag; anything else is 412. */
export function matchesIfMatch(header: string | undefined, version: number): boolean {
  if (!header) return true;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === `W/"${version}"` || t === `"${version}"`;
  });
}
