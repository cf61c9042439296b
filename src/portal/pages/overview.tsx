// Overview, the Admins' home: the set-up checklist in the order the IT admin works through it,
// what needs attention, and the users by role and status. Support and Viewer go to their profile.
import type { Router } from "express";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { RelTime } from "../components";
import { allow, signedIn } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { isAdmin, type View } from "../view";
import { setupState, type Attention, type SetupState, type SetupStepKey } from "../overview-state";
import { STATUS_WORDS } from "../format";

const STEPS: Record<SetupStepKey, { label: string; href: string }> = {
  connection: { label: "Connect your identity provider (SAML or OIDC)", href: "/sso-setup" },
  test: { label: "Test a sign-in through your identity provider", href: "/sso-setup" },
  scim_token: { label: "Create a SCIM token for your identity provider", href: "/scim-setup" },
  first_user: { label: "Receive the first user by SCIM", href: "/scim-setup" },
  admin_group: { label: "Map a group to the Admin role", href: "/groups" },
  sso_on: { label: "Turn single sign-on on", href: "/sso-setup" },
};

function attentionLine(a: Attention) {
  switch (a.kind) {
    case "certificate":
      return (
        <>
          <span safe>
            {`The identity provider's signing certificate ${(a.daysLeft ?? 0) < 0 ? "has expired" : `expires in ${a.daysLeft} days`}.`}
          </span>{" "}
          <a href="/sso-setup">Update it</a>
        </>
      );
    case "refused_sign_ins":
      return (
        <>
          {a.count} sign-in{a.count === 1 ? " was" : "s were"} refused in the last 24 hours.{" "}
          <a href="/activity">See why</a>
        </>
      );
    case "scim_errors":
      return (
        <>
          {a.count} SCIM request{a.count === 1 ? "" : "s"} failed in the last 24 hours.{" "}
          <a href="/scim-setup">See the errors</a>
        </>
      );
    case "no_admin":
      return (
        <>
          No active user has the Admin role. Map a group to Admin on <a href="/groups">Groups &amp; roles</a>,
          or ask an operator for a break-glass link.
        </>
      );
  }
}

export function OverviewBody({ state, view }: { state: SetupState; view: View }) {
  const done = state.steps.filter((s) => s.done).length;
  return (
    <>
      <h1>Overview</h1>
      <section class="panel" aria-labelledby="setup-title">
        <h2 id="setup-title">
          Set-up: {done} of {state.steps.length} done
        </h2>
        <ol class="checklist">
          {state.steps.map((s) => (
            <li class={s.done ? "done" : "todo"}>
              <a href={STEPS[s.key].href} safe>
                {STEPS[s.key].label}
              </a>
              <span class="visually-hidden">{s.done ? " (done)" : " (to do)"}</span>
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="attention-title">
        <h2 id="attention-title">Needs attention</h2>
        {state.attention.length === 0 ? (
          <p class="muted">Nothing needs attention.</p>
        ) : (
          <ul>
            {state.attention.map((a) => (
              <li>{attentionLine(a)}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <div class="grid">
          <div class="panel">
            <p class="stat">{state.totalUsers}</p>
            <p>
              <a href="/users">All users</a>
            </p>
          </div>
          <div class="panel">
            <h3>By role</h3>
            <ul>
              {(["Admin", "Support", "Viewer"] as const).map((r) => (
                <li>
                  <a href={`/users?role=${r}`}>{r}</a>: {state.usersByRole[r]}
                </li>
              ))}
              <li>No role: {state.usersByRole.none}</li>
            </ul>
          </div>
          <div class="panel">
            <h3>By status</h3>
            <ul>
              {(["active", "invited", "deactivated", "blocked"] as const).map((s) => (
                <li>
                  <a href={`/users?status=${s}`} safe>
                    {STATUS_WORDS[s]}
                  </a>
                  : {state.usersByStatus[s]}
                </li>
              ))}
            </ul>
          </div>
          <div class="panel">
            <h3>Last activity</h3>
            <p>
              Last SCIM call: <RelTime at={state.lastScimCallAt} now={view.now} />
            </p>
            <p>
              Last sign-in: <RelTime at={state.lastSignInAt} now={view.now} />
            </p>
          </div>
        </div>
      </section>
    </>
  );
}

export function homePages(router: Router, services: Services): void {
  router.get("/", signedIn, async (_req, res, next) => {
    if (!isAdmin(viewOf(res).viewer)) return res.redirect(303, "/profile");
    next();
  });
  router.get("/", allow("users:read"), async (_req, res) => {
    const view = viewOf(res);
    const state = await setupState(services, ctxOf(res));
    await page(res, { view, title: "Overview", nav: "overview" }, <OverviewBody state={state} view={view} />);
  });
}
