// The body of PUT /role-mappings and POST /role-mappings/preview:
// {defaultRole: "Viewer"|"Support"|"Admin"|null, rules: [{group, role}]}, rules in order.
import { z } from "zod";
import { ROLES } from "./permissions";
import { fold } from "../shared/fold";

export const MAX_RULES = 500;

/** A missing field says so; zod would show the enum's own message for it. */
const oneOf = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? "required" : message;

const rule = z
  .object({
    group: z.string().trim().min(1, "is required").max(256, "is longer than 256 characters"),
    role: z.enum(ROLES, { error: oneOf("must be Admin, Support or Viewer") }),
  })
  .strict();

export const roleMappingsInput = z
  .object({
    defaultRole: z.enum(ROLES, { error: oneOf("must be Admin, Support, Viewer or null") }).nullable(),
    rules: z.array(rule).max(MAX_RULES, `at most ${MAX_RULES} rules`),
  })
  .strict()
  .superRefine((body, issues) => {
    // The same group and role twice (in any letter case) would only blur roleSource.
    const seen = new Set<string>();
    body.rules.forEach((r, i) => {
      const key = `${fold(r.group)}\u0000${r.role}`;
      if (seen.has(key)) {
        issues.addIssue({ code: "custom", path: ["rules", i, "group"], message: "repeats an earlier rule" });
      }
      seen.add(key);
    });
  })
  .meta({ id: "RoleMappings" });

export type RoleMappingsInput = z.infer<typeof roleMappingsInput>;

export const forceQuery = z.object({ force: z.enum(["true", "false"]).optional() });
