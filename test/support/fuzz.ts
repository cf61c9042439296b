// What every property-based fuzz test checks (issue 17 point 6), in one place: the answer is no
// 5xx and comes in its surface's error format; a refusal leaves the database as it was (a
// fingerprint of the domain tables); and the number of cases run, printed at the end of the
// file and recorded in docs/testing.md. FUZZ_RUNS scales every property's runs (default 1);
// FUZZ_SEED replays a failure (fast-check prints the seed and path of a failing case).
import type request from "supertest";
import fc from "fast-check";
import type { Database } from "../../src/db/client";

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
let cases = 0;

/** fast-check's options for a property of `runs` cases (times FUZZ_RUNS). */
export const fuzzOptions = (runs: number) => ({
  numRuns: Math.max(1, Math.round(runs * SCALE)),
  ...(SEED === undefined ? {} : { seed: SEED }),
});

/** Counts one case; the total is printed by printCaseCount(). */
export const countCase = () => void cases++;

export function printCaseCount(file: string): void {
  console.log(`${file}: ${cases} fuzz cases run`);
}

/**
 * The tables whose rows a refused request must leave alone. Not in it, on purpose: what a
 * refusal itself writes (audit events of refused sign-ins, SCIM error records, sign-in
 * throttles) and what any authenticated call refreshes (a credential's lastUsedAt).
 */
const FINGERPRINTED = [
  "organizations",
  "users",
  "user_emails",
  "groups",
  "group_memberships",
  "role_mapping_rules",
  "sso_connections",
  "invitations",
  "sessions",
  "outbox_events",
  "saml_assertions",
];

/** One string that changes when any row of the fingerprinted tables changes. */
export async function fingerprint(db: Database): Promise<string> {
  const parts = FINGERPRINTED.map(
    (t) =>
      `(SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM ${t} x)`,
  );
  const credentials = ["scim_tokens", "api_keys"].map(
    (t) =>
      `(SELECT count(*)::text || ':' || coalesce(md5(string_agg(id::text || coalesce(revoked_at::text, ''), ',' ORDER BY id)), '') FROM ${t})`,
  );
  const conn = await db.raw();
  try {
    const [row] = await conn.query<{ f: string }>(
      `SELECT concat_ws('|', ${[...parts, ...credentials].join(", ")}) AS f`,
    );
    return row!.f;
  } finally {
    await conn.release();
  }
}

export type Surface = "scim" | "api" | "html";

/** The surface a path answers in: SCIM error schema, problem+json, or an HTML page. */
export const surfaceOf = (path: string): Surface =>
  /^\/scim([/?]|$)/.test(path) ? "scim" : /^\/(sso|auth)([/?]|$)/.test(path) ? "html" : "api";

/** Throws (with what was asked and answered) unless the answer is no 5xx and, when it is a
 * refusal, in the surface's format. */
export function expectWellFormed(what: string, surface: Surface, res: request.Response): void {
  const fail = (why: string) => {
    throw new Error(
      `${what} → ${res.status} ${String(res.headers["content-type"])}: ${why}\n${res.text?.slice(0, 500)}`,
    );
  };
  if (res.status >= 500) fail("a server error");
  if (res.status < 400) return;
  const type = String(res.headers["content-type"] ?? "");
  if (surface === "scim") {
    if (!type.includes("application/scim+json")) fail("not application/scim+json");
    const body = res.body as { schemas?: string[]; status?: string };
    if (
      body.schemas?.[0] !== "urn:ietf:params:scim:api:messages:2.0:Error" ||
      body.status !== String(res.status)
    )
      fail("not a SCIM error");
  } else if (surface === "api") {
    if (!type.includes("application/problem+json")) fail("not problem+json");
    const body = res.body as { status?: number; code?: string };
    if (body.status !== res.status || typeof body.code !== "string") fail("not a problem with a code");
  } else {
    if (!type.includes("text/html")) fail("not an HTML page");
    if (!res.text.includes(String(res.headers["x-request-id"])))
      fail("the page does not name the request id");
  }
}

/**
 * Sends one fuzz case and checks it: well formed, and when refused, the database unchanged.
 * Returns the answer for further checks.
 */
export async function checkCase(
  db: Database,
  what: string,
  surface: Surface,
  send: () => request.Test,
): Promise<request.Response> {
  countCase();
  const before = await fingerprint(db);
  const res = await send();
  expectWellFormed(what, surface, res);
  if (res.status >= 400) {
    const after = await fingerprint(db);
    if (after !== before) throw new Error(`${what} → ${res.status}: refused, yet the database changed`);
  }
  return res;
}

// ---- Arbitraries shared by the surfaces ----

/** Text a client may send: ASCII, Unicode (look-alikes, invisible and combining characters,
 * astral planes), quotes and backslashes; never a NUL (refused upfront, tested elsewhere). */
export const text = (maxLength = 40) =>
  fc
    .oneof(
      fc.string({ maxLength }),
      fc.string({ unit: "grapheme", maxLength }),
      fc.constantFrom(
        "",
        " ",
        '"',
        "\\",
        "'",
        "ａｌｉｃｅ",
        "al\u200bice",
        "аlice",
        "e\u0301",
        "𝔞𝔡𝔪𝔦𝔫",
        "%00",
        "${x}",
        "<b>",
      ),
    )
    .map((s) => s.split(String.fromCharCode(0)).join(""));

/** Any JSON value, small, with our text in its strings. */
export const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text(12), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** An object built around the given keys (each present or not, with any value), plus noise. */
export const objectAround = (keys: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(keys).map(([k, a]) => [k, fc.oneof(a, jsonValue)])), {
        requiredKeys: [],
      }),
      fc.dictionary(text(12), jsonValue, { maxKeys: 2 }),
    )
    .map(([known, noise]) => ({ ...noise, ...known }));

/** A value that may stand where an id goes: uuids, near-uuids, numbers, paths, any text. */
export const idLike = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => u.slice(0, 35)),
  fc.constantFrom("0", "-1", "99999999999999999999", "null", "..", "%2e%2e", "%2F", "me"),
  text(60).filter((s) => s.length > 0),
);
