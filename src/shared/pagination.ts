// Cursor pagination of the admin API: ?cursor=&limit= (default 50,
// max 200), answers {data, nextCursor}. Cursors are opaque base64url JSON.
import { z } from "zod";
import { AppError } from "./errors";

export const pageQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!cursor) return undefined;
  try {
    const text = Buffer.from(cursor, "base64url").toString("utf8");
    // A NUL (raw or escaped) could only reach the database as an error.
    if (/\0|\\u0000/i.test(text)) throw new Error("NUL in a cursor");
    return schema.parse(JSON.parse(text));
  } catch {
    throw new AppError("validation_failed", "cursor: is not a cursor this API issued", {
      errors: [{ field: "cursor", message: "is not a cursor this API issued" }],
    });
  }
}

/** Given limit+1 rows, the page and the cursor of its last row (null on the last page). */
export function page<T, C>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => C,
): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}
