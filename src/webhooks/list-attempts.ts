// GET .../webhooks/{id}/deliveries: every attempt to one endpoint, newest first, in cursor pages.
import { z } from "zod";
import type { Database } from "../db/client";
import { AppError } from "../shared/errors";
import { decodeCursor, page } from "../shared/pagination";
import { presentAttempt } from "./present";

const cursorSchema = z.object({ seq: z.string().regex(/^\d{1,19}$/) });

export async function listAttempts(
  db: Pick<Database, "prisma">,
  orgId: string,
  endpointId: string,
  query: { cursor?: string; limit: number },
) {
  const endpoint = await db.prisma.webhookEndpoint.findFirst({
    where: { id: endpointId, orgId },
    select: { id: true },
  });
  if (!endpoint) throw new AppError("not_found", "No such webhook endpoint in this organization");
  const after = decodeCursor(query.cursor, cursorSchema);
  const rows = await db.prisma.webhookAttempt.findMany({
    where: { endpointId, orgId, ...(after ? { seq: { lt: BigInt(after.seq) } } : {}) },
    orderBy: { seq: "desc" },
    take: query.limit + 1,
  });
  const result = page(rows, query.limit, (r) => ({ seq: r.seq.toString() }));
  return { data: result.data.map(presentAttempt), nextCursor: result.nextCursor };
}
