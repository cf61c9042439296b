// Invitations (Admins): the pending ones with resend and rescind, and the invite form. The same
// invitation service and SSO guard as the admin API; outside production the new link is shown
// once on the page (it is also mailed), as the API answers it.
import type { Request, Response, Router } from "express";
import { z } from "zod";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { requireSsoOff } from "../../http/require-sso-off";
import { inviteBody } from "../../users/invitations/invite-users";
import { listInvitationsQuery } from "../../users/invitations/manage-invitations";
import { ROLES } from "../../roles/permissions";
import { AppError } from "../../shared/errors";
import { Field, FlashMessage, PostForm, RelTime, SSO_MANAGED } from "../components";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import type { View } from "../view";
import { attempt, sentence } from "../form-result";

type InvitationRow = Awaited<ReturnType<Services["users"]["listInvitations"]>>["data"][number];

interface Flash {
  error?: string;
  success?: string;
  link?: { email: string; url: string } | null;
  status?: number;
}

function InviteForm({ view, managed }: { view: View; managed: boolean }) {
  return (
    <PostForm action="/invitations" csrf={view.csrf} class="panel">
      <h2>Invite someone</h2>
      <Field label="Email" name="email" type="email" required disabled={managed} />
      <Field label="First name" name="firstName" disabled={managed} />
      <Field label="Last name" name="lastName" disabled={managed} />
      <div class="field">
        <label for="f-invite-role">Role</label>
        <select id="f-invite-role" name="role" disabled={managed}>
          {ROLES.map((r) => (
            <option value={r} selected={r === "Viewer"}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" disabled={managed}>
        Send invitation
      </button>
      <p class="hint">
        The person gets an email with a link to choose a password. The link expires after a few days.
      </p>
    </PostForm>
  );
}

function Row({ inv, view, managed }: { inv: InvitationRow; view: View; managed: boolean }) {
  const name = [inv.firstName, inv.lastName].filter(Boolean).join(" ");
  return (
    <tr>
      <td>
        <a href={`/users/${inv.userId}`} safe>
          {inv.email}
        </a>
        {name ? (
          <div class="hint" safe>
            {name}
          </div>
        ) : (
          ""
        )}
      </td>
      <td>{inv.role}</td>
      <td>
        {inv.status === "expired" ? "Expired " : "Expires "}
        <RelTime at={inv.expiresAt} now={view.now} />
      </td>
      <td>
        <PostForm action={`/invitations/${inv.id}/resend`} csrf={view.csrf} class="inline">
          <button type="submit" class="secondary" disabled={managed}>
            Resend
          </button>
        </PostForm>{" "}
        <PostForm action={`/invitations/${inv.id}/rescind`} csrf={view.csrf} class="inline">
          <button type="submit" class="secondary" disabled={managed}>
            Rescind
          </button>
        </PostForm>
      </td>
    </tr>
  );
}

export function invitationsPages(router: Router, services: Services): void {
  const write = [formBody, services.csrf.verify, allow("users:write"), requireSsoOff(services.db.prisma)];
  const idOf = (req: Request) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new AppError("not_found", "There is no such invitation.");
    return id.data;
  };

  async function render(req: Request, res: Response, flash: Flash = {}) {
    const view = viewOf(res);
    const managed = view.viewer?.sso === "on";
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    const list = await services.users.listInvitations(
      view.viewer!.org.id,
      listInvitationsQuery.parse(cursor ? { cursor } : {}),
    );
    await page(
      res,
      { view, title: "Invitations", nav: "users", status: flash.status },
      <>
        <h1>Invitations</h1>
        {managed ? <p class="notice notice-info">{SSO_MANAGED}</p> : ""}
        <FlashMessage error={flash.error} success={flash.success} />
        {flash.link ? (
          <div class="notice notice-info">
            <p safe>{`Invitation link for ${flash.link.email} (shown once; it was also mailed):`}</p>
            <p class="copy-row">
              <code id="invitation-link" safe>
                {flash.link.url}
              </code>
              <button type="button" class="secondary" data-copy="#invitation-link" hidden>
                Copy
              </button>
            </p>
          </div>
        ) : (
          ""
        )}
        <InviteForm view={view} managed={managed} />
        <h2>Pending invitations</h2>
        {list.data.length === 0 ? (
          <p class="muted">No pending invitations.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Link</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((inv) => (
                  <Row inv={inv} view={view} managed={managed} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {list.nextCursor ? (
          <a href={`/invitations?cursor=${encodeURIComponent(list.nextCursor)}`}>More</a>
        ) : (
          ""
        )}
      </>,
    );
  }

  router.get("/invitations", allow("users:read"), (req, res) => render(req, res));

  router.post("/invitations", ...write, async (req, res) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const one = {
      email: b.email,
      firstName: b.firstName || undefined,
      lastName: b.lastName || undefined,
      role: b.role,
    };
    const result = await attempt(() =>
      services.users.invite(ctxOf(res), inviteBody.parse({ invitations: [one] })),
    );
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    const created = result.value.invitations[0];
    await render(req, res, {
      success: `Invitation sent to ${created?.email}.`,
      link: created?.invitationUrl ? { email: created.email, url: created.invitationUrl } : null,
    });
  });

  router.post("/invitations/:id/resend", ...write, async (req, res) => {
    const result = await attempt(() => services.users.resendInvitation(ctxOf(res), idOf(req)));
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    const r = result.value;
    await render(req, res, {
      success: `A new link was sent to ${r.email}; the old one no longer works.`,
      link: r.invitationUrl ? { email: r.email, url: r.invitationUrl } : null,
    });
  });

  router.post("/invitations/:id/rescind", ...write, async (req, res) => {
    const result = await attempt(() => services.users.rescindInvitation(ctxOf(res), idOf(req)));
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    await render(req, res, { success: "The invitation was rescinded and its seat freed." });
  });
}
