// Input that no route could serve, refused in the surface's format before any route runs:
// a query parameter given twice (every parameter any surface takes is single-valued: taking
// the first or the last would silently drop a filter), a NUL character anywhere in the URL or
// in a body (PostgreSQL's text columns cannot hold it), and a JSON API called with another
// body type (a form's single key would read as `Unrecognized key: "{\"defaultRole\"…"`).
import { parse as parseQuery } from "node:querystring";
import type { IncomingMessage } from "node:http";
import type { RequestHandler } from "express";
import { AppError } from "../../shared/errors";

const invalid = (field: string, message: string) =>
  new AppError("validation_failed", `${field}: ${message}`, {
    errors: [{ field, message }],
    scimType: "invalidValue",
  });

export const rejectHostileUrl: RequestHandler = (req, _res, next) => {
  const url = req.url;
  const q = url.indexOf("?");
  if (url.includes("%00"))
    return next(invalid(q >= 0 && url.indexOf("%00") > q ? "query" : "path", "holds a NUL character (%00)"));
  // One parameter cannot be repeated: most requests (a SCIM lookup) stop here unparsed.
  if (q < 0 || !url.includes("&", q)) return next();
  const query = parseQuery(url.slice(q + 1));
  for (const [name, value] of Object.entries(query))
    if (Array.isArray(value)) return next(invalid(name, "is given more than once; send it once"));
  next();
};

/** A JSON escape of NUL (`\u0000`) not itself escaped (`\\u0000` is a backslash and text). */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/i;

class NulInBody extends Error {
  readonly type = "entity.nul";
}

/** body-parser's verify hook for JSON: looks at the text only when it holds `u0000` at all. */
export function rejectNulInJson(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (buf.includes("u0000") && JSON_NUL.test(buf.toString("utf8"))) throw new NulInBody();
}

/** body-parser's verify hook for forms. */
export function rejectNulInForm(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (buf.includes("%00") || buf.includes(0)) throw new NulInBody();
}

/** A body on a JSON-only surface (the admin API, SCIM) must say it is JSON. */
export const requireJsonBody =
  (types: string[], say: string): RequestHandler =>
  (req, _res, next) => {
    // An empty body (Content-Length: 0, as body-less POSTs such as /enable send) needs no type.
    const length = req.get("content-length");
    const hasBody =
      req.get("transfer-encoding") !== undefined || (length !== undefined && Number(length) > 0);
    if (!hasBody || req.is(types) !== false) return next();
    next(
      new AppError(
        "unsupported_media_type",
        `send the body as JSON with the header Content-Type: ${say} (it came as ${req.get("content-type") ?? "no content type"})`,
        { scimType: "invalidSyntax" },
      ),
    );
  };
