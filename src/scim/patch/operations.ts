// Reads a PATCH request body (RFC 7644 3.5.2) as Okta and Entra send it: `op` in any letter
// case ("Replace", "Add"), an optional path, a value. Returns the operations with the op
// lower-cased and the path parsed; a malformed body answers 400 invalidSyntax.
import { AppError } from "../../shared/errors";
import { parsePatchPath, type PatchPath } from "../filter/parse";
import { PATCH_SCHEMA } from "../schema/attributes";

export type PatchOpName = "add" | "remove" | "replace";

export interface PatchOperation {
  op: PatchOpName;
  path?: PatchPath;
  /** The path as sent, for error messages and the audit record. */
  rawPath?: string;
  value?: unknown;
}

const invalidSyntax = (message: string) =>
  new AppError("bad_request", message, { scimType: "invalidSyntax" });

export function readPatchBody(body: unknown): PatchOperation[] {
  if (typeof body !== "object" || body === null) throw invalidSyntax("the body must be a PatchOp message");
  const { schemas, Operations, operations } = body as Record<string, unknown>;
  if (Array.isArray(schemas) && !schemas.some((s) => String(s).toLowerCase() === PATCH_SCHEMA.toLowerCase()))
    throw invalidSyntax(`schemas must contain ${PATCH_SCHEMA}`);
  const list = Operations ?? operations;
  if (!Array.isArray(list) || list.length === 0) throw invalidSyntax("Operations must be a non-empty array");
  return list.map((raw, i) => {
    if (typeof raw !== "object" || raw === null) throw invalidSyntax(`Operations[${i}] must be an object`);
    const entry = raw as Record<string, unknown>;
    const op = String(entry.op ?? "").toLowerCase();
    if (op !== "add" && op !== "remove" && op !== "replace")
      throw invalidSyntax(`Operations[${i}].op must be add, remove or replace`);
    const rawPath =
      typeof entry.path === "string" && entry.path.trim() !== "" ? entry.path.trim() : undefined;
    if (!rawPath && op === "remove")
      throw new AppError("bad_request", `Operations[${i}]: remove needs a path`, { scimType: "noTarget" });
    if (!rawPath && (typeof entry.value !== "object" || entry.value === null || Array.isArray(entry.value)))
      throw invalidSyntax(`Operations[${i}]: without a path the value must be an object`);
    return {
      op,
      ...(rawPath ? { path: parsePatchPath(rawPath), rawPath } : {}),
      ...("value" in entry ? { value: entry.value } : {}),
    };
  });
}
