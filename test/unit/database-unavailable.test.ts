// Which thrown values mean "the database cannot be reached now" (503), table-driven. The shapes
// are those pg, PostgreSQL and Prisma's driver adapter throw (seen with the server stopped).
import { isDatabaseUnavailable } from "../../src/db/unavailable";
import { knownError } from "../../src/shared/known-error";

const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: "connect" });
const prismaError = (code: string, kind?: string) =>
  Object.assign(new Error("Invalid `prisma.user.findFirst()` invocation"), {
    name: "PrismaClientKnownRequestError",
    code,
    meta: kind ? { driverAdapterError: { name: "DriverAdapterError", cause: { kind } } } : {},
  });
const sqlState = (code: string) => Object.assign(new Error("server says"), { code, severity: "FATAL" });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a refused connection", socketError("ECONNREFUSED")],
    ["a reset connection", socketError("ECONNRESET")],
    ["pg's end of a connection", new Error("Connection terminated unexpectedly")],
    ["pg's pool timeout", new Error("timeout exceeded when trying to connect")],
    ["Prisma: cannot reach (P1001)", prismaError("P1001", "DatabaseNotReachable")],
    ["Prisma: a raw query on a closed connection", prismaError("P2010", "ConnectionClosed")],
    ["PostgreSQL shutting down (57P01)", sqlState("57P01")],
    ["PostgreSQL starting up (57P03)", sqlState("57P03")],
    ["a connection exception (08006)", sqlState("08006")],
    ["one as the cause of another", new Error("wrapped", { cause: socketError("ECONNREFUSED") })],
  ])("when %s, then yes, and it is a 503 with Retry-After", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
    const known = knownError(err);
    expect(known?.status).toBe(503);
    expect(known?.extra?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it.each([
    ["a unique violation (P2002)", prismaError("P2002")],
    ["a unique violation (23505)", sqlState("23505")],
    ["a syntax error (42601)", sqlState("42601")],
    ["a bug", new Error("cannot read properties of undefined")],
    ["nothing", undefined],
  ])("when %s, then no", (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
