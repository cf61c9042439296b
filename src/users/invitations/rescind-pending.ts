// Pending invitation links of a user stop working when an admin or the identity provider takes
// the user out (deactivated or blocked): accepting one later must not bring the user back as
// active with the invited role. Callers run this in the transaction that changes the status.
import type { Db } from "../../db/client";

export async function rescindPendingInvitations(db: Db, orgId: string, userId: string): Promise<number> {
  const { count } = await db.invitation.updateMany({
    where: { orgId, userId, acceptedAt: null, rescindedAt: null, replacedAt: null },
    data: { rescindedAt: new Date() },
  });
  return count;
}
