// The scimType of a SCIM error answer (RFC 7644 3.12) for an AppError: its own, else its code's.
import type { AppError } from "../shared/errors";

const SCIM_TYPES: Partial<Record<AppError["code"], string>> = {
  uniqueness: "uniqueness",
  conflict: "uniqueness",
  validation_failed: "invalidValue",
  invalid_json: "invalidSyntax",
  seat_limit: "tooMany",
};

export const scimTypeOf = (err: AppError): string | undefined => err.scimType ?? SCIM_TYPES[err.code];
