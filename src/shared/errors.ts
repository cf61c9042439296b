// One error type for everything the service refuses on purpose. Each surface (admin API,
// SCIM, browser pages, CLI) renders it its own way from the single code -> status table below.
// Anything thrown that is not an AppError is a bug: a generic 500, logged with its stack.

export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  sign_in_failed: 401,
  forbidden: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  uniqueness: 409,
  sso_enforced: 409,
  last_admin: 409,
  would_remove_last_admin: 409,
  seat_limit: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  /** Extra members for the problem body (e.g. seatsLeft). Never put secrets here. */
  readonly extra?: Record<string, unknown>;
  /** SCIM's scimType when it differs from the code (invalidFilter, invalidValue, ...). */
  readonly scimType?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      errors?: FieldError[];
      extra?: Record<string, unknown>;
      scimType?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.errors = options.errors;
    this.extra = options.extra;
    this.scimType = options.scimType;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/**
 * A unique violation, however it arrives: Prisma's P2002 (a model query, whichever driver
 * adapter), a raw statement through Prisma (P2010 carrying SQLSTATE 23505), or a statement on
 * the driver itself (Database.read/direct/transaction: the driver's error, SQLSTATE 23505).
 */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, meta } = e as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  if (code === "P2002" || code === "23505") return true;
  return code === "P2010" && meta?.driverAdapterError?.cause?.originalCode === "23505";
}

export const TITLES: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  validation_failed: "Invalid input",
  invalid_json: "Malformed JSON",
  unauthorized: "Authentication required",
  sign_in_failed: "Sign-in failed",
  forbidden: "Forbidden",
  csrf_failed: "Request refused (cross-site request forgery check)",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  uniqueness: "Already exists",
  sso_enforced: "Managed by your identity provider",
  last_admin: "Last admin",
  would_remove_last_admin: "Would remove the last admin",
  seat_limit: "Seat limit reached",
  gone: "No longer valid",
  precondition_failed: "Precondition failed",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many attempts",
  internal: "Internal error",
  unavailable: "Service unavailable",
};
