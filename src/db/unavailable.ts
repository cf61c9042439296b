// Tells a database that cannot be reached apart from a bug: a refused or dropped connection, a
// server shutting down or restarting, a pool that could not hand out a connection in time. The
// error handler answers these 503 with Retry-After (the client should simply try again), never
// 500, and the next request opens a new connection by itself (docs/operations.md).

// Node's socket errors while connecting or on an open connection.
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

// SQLSTATE: class 08 is "connection exception"; 57P01-57P03 a server shutting down, crashed or
// starting (PostgreSQL Appendix A); 53300 too many connections.
const SQLSTATE = /^(08...|57P0[123]|53300)$/;

// What Prisma's driver adapter makes of the errors above, and Prisma's own codes for them
// (P1001 cannot reach, P1017 connection closed, P2024 timed out waiting for a pooled connection).
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);

// pg's own errors carry no code, only these messages.
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|not queryable/i;

interface Fields {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown } } };
}

function oneIsUnavailable(e: Fields): boolean {
  const code = typeof e.code === "string" ? e.code : "";
  if (SOCKET_CODES.has(code) || SQLSTATE.test(code) || PRISMA_CODES.has(code)) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter && (ADAPTER_KINDS.has(String(adapter.kind)) || SQLSTATE.test(String(adapter.code ?? ""))))
    return true;
  return typeof e.message === "string" && PG_MESSAGES.test(e.message);
}

/** True when `err`, or an error it was caused by, says the database cannot be reached now. */
export function isDatabaseUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === "object"; depth++) {
    if (oneIsUnavailable(e as Fields)) return true;
    e = (e as Fields).cause;
  }
  return false;
}
