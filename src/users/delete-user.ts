// DELETE /users/{id} with {"confirm": "<the user's email>"}: irreversible, so the caller must
// type the email back. The row goes (memberships, sessions, invitations with it); the audit
// and outbox events keep the record of who it was.
import { z } from "zod";
import type { Database } from "../db/client";
import type { Ctx } from "../shared/context";
import { AppError } from "../shared/errors";
import { emit } from "../events";
import { assertNotLastAdmin, assertSsoOff, lockOrg } from "./guards";
import { loadUser } from "./load-user";
import { fold } from "../shared/fold";

export const deleteBody = z
  .object({ confirm: z.string().trim().min(1, "type the user's email to confirm") })
  .strict();

export async function deleteUser(
  db: Pick<Database, "prisma">,
  ctx: Ctx,
  id: string,
  { confirm }: z.output<typeof deleteBody>,
) {
  await db.prisma.$transaction(async (tx) => {
    await assertSsoOff(tx, ctx.orgId);
    await lockOrg(tx, ctx.orgId);
    const user = await loadUser(tx, ctx, id);
    if (fold(confirm) !== fold(user.email))
      throw new AppError("validation_failed", "confirm: does not match the user's email", {
        errors: [{ field: "confirm", message: "does not match the user's email" }],
      });
    await assertNotLastAdmin(tx, user, "delete");
    // The event first: its payload is the user as it was, read from the row.
    await emit(tx, ctx, {
      action: "user.deleted",
      targetId: user.id,
      data: { email: user.email, role: user.role, status: user.status },
    });
    await tx.user.delete({ where: { id: user.id } });
  });
}
