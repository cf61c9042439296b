// The user page's markup: identity, the Role panel with the full reason, groups, the user's
// audit trail, and the actions, each with its consequence in one line.
import type { UserDto } from "../../users/present";
import type { RoleExplanation } from "../../roles/explain-role";
import type { AuditEventView } from "../../audit/list-events";
import { ROLES } from "../../roles/permissions";
import { actionApplies, type LifecycleAction } from "../../users/lifecycle";
import { FlashMessage, PostForm, RelTime, SSO_MANAGED } from "../components";
import { displayName, type View } from "../view";
import { PROVISIONED_WORDS, STATUS_WORDS } from "../format";
import { roleSentence } from "../role-words";
import { auditWords } from "../audit-words";

export interface UserPageProps {
  view: View;
  user: UserDto;
  explanation: RoleExplanation;
  trail: AuditEventView[];
  error?: string | null;
  success?: string | null;
}

const ACTIONS: { path: LifecycleAction; label: string; consequence: string; danger?: boolean }[] = [
  {
    path: "deactivate",
    label: "Deactivate",
    consequence: "Signs the user out everywhere; they cannot sign in until reactivated.",
    danger: true,
  },
  { path: "reactivate", label: "Reactivate", consequence: "The user can sign in again with their role." },
  {
    path: "block",
    label: "Block",
    consequence: "Signs the user out now and refuses every sign-in until unblocked.",
    danger: true,
  },
  { path: "unblock", label: "Unblock", consequence: "The user can sign in again." },
  {
    path: "reset-mfa",
    label: "Reset two-factor authentication",
    consequence:
      "Removes the authenticator and recovery codes; the user sets them up again at the next sign-in.",
  },
];

const actionsFor = (u: UserDto) => ACTIONS.filter((a) => actionApplies(a.path, u.status));

function Actions({ view, user }: { view: View; user: UserDto }) {
  const managed = view.viewer?.sso === "on";
  const csrf = view.csrf;
  const base = `/users/${user.id}`;
  return (
    <section class="panel" aria-labelledby="actions-title">
      <h2 id="actions-title">Actions</h2>
      {managed ? <p class="notice notice-info">{SSO_MANAGED}</p> : ""}
      {user.provisionedBy === "invite" ? (
        <PostForm action={`${base}/role`} csrf={csrf}>
          <div class="field">
            <label for="f-role">Change role</label>
            <select id="f-role" name="role" disabled={managed}>
              {ROLES.map((r) => (
                <option value={r} selected={user.role === r}>
                  {r}
                </option>
              ))}
            </select>
            <p class="hint">
              Sets the role by hand: it stays until an Admin changes it (users from SCIM or SSO always get the
              mapped role).
            </p>
          </div>
          <button type="submit" disabled={managed}>
            Save role
          </button>
        </PostForm>
      ) : (
        <p class="hint">
          The role of a user from SCIM or single sign-on comes from the mapping of their groups: change it on{" "}
          <a href="/groups">Groups &amp; roles</a>.
        </p>
      )}
      {actionsFor(user).map((a) => (
        <PostForm action={`${base}/${a.path}`} csrf={csrf} class="actions">
          <button type="submit" class={a.danger ? "danger" : "secondary"} disabled={managed} safe>
            {a.label}
          </button>
          <span class="hint" safe>
            {a.consequence}
          </span>
        </PostForm>
      ))}
      <PostForm action={`${base}/delete`} csrf={csrf}>
        <h3>Delete this user</h3>
        <p class="hint">Removes the user and frees their seat. This cannot be undone.</p>
        <div class="field">
          <label for="f-confirm" safe>{`Type ${user.email} to confirm`}</label>
          <input id="f-confirm" name="confirm" type="text" autocomplete="off" required disabled={managed} />
        </div>
        <button type="submit" class="danger" disabled={managed}>
          Delete user
        </button>
      </PostForm>
    </section>
  );
}

export function UserBody(p: UserPageProps) {
  const u = p.user;
  const now = p.view.now;
  return (
    <>
      <p>
        <a href="/users">All users</a>
      </p>
      <h1 safe>{displayName(u)}</h1>
      <FlashMessage error={p.error} success={p.success} />
      <dl class="facts panel">
        <dt>Email</dt>
        <dd safe>{u.email}</dd>
        <dt>Status</dt>
        <dd safe>{STATUS_WORDS[u.status]}</dd>
        <dt>Provisioned by</dt>
        <dd safe>{PROVISIONED_WORDS[u.provisionedBy]}</dd>
        <dt>Created</dt>
        <dd>
          <RelTime at={u.createdAt} now={now} />
        </dd>
        <dt>Last sign-in</dt>
        <dd>
          <RelTime at={u.lastSignInAt} now={now} />
        </dd>
      </dl>
      <section class="panel" aria-labelledby="role-title">
        <h2 id="role-title">Role</h2>
        <p class="stat">{u.role ?? "No role"}</p>
        <p safe>{roleSentence(p.explanation)}</p>
        <p class="hint">
          <a href="/groups">Change the rules on Groups &amp; roles</a>
        </p>
      </section>
      <section aria-labelledby="groups-title">
        <h2 id="groups-title">Groups</h2>
        {u.groups.length === 0 ? (
          <p class="muted">Not a member of any group.</p>
        ) : (
          <ul>
            {u.groups.map((g) => (
              <li safe>{`${g.displayName} (${g.source})`}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="trail-title">
        <h2 id="trail-title">History</h2>
        {p.trail.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <ul>
            {p.trail.map((e) => (
              <li>
                <RelTime at={e.createdAt} now={now} /> <span safe>{auditWords(e)}</span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`/audit?user=${u.id}`}>Full audit trail</a>
        </p>
      </section>
      <Actions view={p.view} user={u} />
    </>
  );
}
