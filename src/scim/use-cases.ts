// The SCIM use cases behind /scim/v2/{org}, built once by src/services.ts.
import type { Database } from "../db/client";
import { createUserReads } from "./users/read-users";
import { createUserWrites, type UserWriteDeps } from "./users/write-users";
import { createGroupReads } from "./groups/read-groups";
import { createGroupWrites } from "./groups/write-groups";

export function createScimUseCases({ db, sessions }: { db: Database; sessions: UserWriteDeps["sessions"] }) {
  return {
    users: { ...createUserReads({ db }), ...createUserWrites({ db, sessions }) },
    groupReads: createGroupReads({ db }),
    groupWrites: createGroupWrites({ db }),
  };
}

export type ScimUseCases = ReturnType<typeof createScimUseCases>;
