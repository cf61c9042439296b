// The user page (/users/:id) and its actions. Each action posts a form (CSRF-checked) to the
// same service function and the same SSO guard as the admin API; a refusal a person can act on
// (the last Admin, SSO on, a wrong confirmation) comes back on the page in words.
import type { Request, Response, Router } from "express";
import { z } from "zod";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { listAuditEvents } from "../../audit/list-events";
import { requireSsoOff } from "../../http/require-sso-off";
import { LIFECYCLE_ACTIONS } from "../../users/lifecycle";
import { userPatch } from "../../users/update-user";
import { deleteBody } from "../../users/delete-user";
import { AppError } from "../../shared/errors";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { displayName } from "../view";
import { attempt, sentence } from "../form-result";
import { UserBody } from "./user-view";

const idOf = (req: Request): string => {
  const id = z.uuid().safeParse(req.params.id);
  if (!id.success) throw new AppError("not_found", "There is no such user in your organization.");
  return id.data;
};

const DONE: Record<string, string> = {
  role: "The role was changed.",
  deactivate: "The user was deactivated.",
  reactivate: "The user was reactivated.",
  block: "The user was blocked.",
  unblock: "The user was unblocked.",
  "reset-mfa": "Two-factor authentication was reset.",
};

export function userPages(router: Router, services: Services): void {
  const write = [formBody, services.csrf.verify, allow("users:write"), requireSsoOff(services.db.prisma)];

  async function render(req: Request, res: Response, flash: { error?: string; status?: number } = {}) {
    const view = viewOf(res);
    const ctx = ctxOf(res);
    const id = idOf(req);
    const [user, explanation, trail] = await Promise.all([
      services.users.get(ctx.orgId, id),
      services.roles.explainRole(ctx, id),
      listAuditEvents(services.db.prisma, ctx.orgId, { targetId: id, limit: 10 }),
    ]);
    if (!explanation) throw new AppError("not_found", "There is no such user in your organization.");
    const done = typeof req.query.done === "string" ? (DONE[req.query.done] ?? null) : null;
    await page(
      res,
      { view, title: displayName(user), nav: "users", status: flash.status },
      <UserBody
        view={view}
        user={user}
        explanation={explanation}
        trail={trail.data}
        error={flash.error}
        success={flash.error ? null : done}
      />,
    );
  }

  router.get("/users/:id", allow("users:read"), (req, res) => render(req, res));

  async function act(req: Request, res: Response, key: string, run: () => Promise<unknown>) {
    const result = await attempt(run);
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    res.redirect(303, `/users/${idOf(req)}?done=${key}`);
  }

  router.post("/users/:id/role", ...write, (req, res) =>
    act(req, res, "role", () =>
      services.users.update(ctxOf(res), idOf(req), userPatch.parse({ role: req.body?.role })),
    ),
  );
  for (const action of LIFECYCLE_ACTIONS) {
    router.post(`/users/:id/${action}`, ...write, (req, res) =>
      act(req, res, action, () => services.users.act(ctxOf(res), idOf(req), action)),
    );
  }
  router.post("/users/:id/delete", ...write, async (req, res) => {
    const result = await attempt(() =>
      services.users.delete(ctxOf(res), idOf(req), deleteBody.parse({ confirm: req.body?.confirm })),
    );
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    res.redirect(303, "/users?deleted=1");
  });
}
