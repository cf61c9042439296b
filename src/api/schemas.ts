// Schemas shared by the admin API's routes: the organization in the path and the page envelope.
import { z } from "zod";

export const orgParams = z.object({ org: z.string().describe("The organization's slug") });

/** A cursor page of items: {data, nextCursor}. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });
