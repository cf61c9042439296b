// Groups & roles markup: the ordered rules with up/down/remove buttons (keyboard-friendly, no
// drag and drop), the default role, the preview of what saving would change, and the groups.
import type { GroupDto } from "../../roles/list-groups";
import type { MappingsPreview } from "../../roles/preview-mappings";
import { PreviewPanel } from "./groups-preview";
import { ROLES } from "../../roles/permissions";
import { CsrfField, FlashMessage } from "../components";
import type { View } from "../view";

export interface DraftRule {
  group: string;
  role: string;
}

export interface Draft {
  defaultRole: string;
  rules: DraftRule[];
}

function RoleSelect({
  name,
  id,
  value,
  label,
  allowNone,
}: {
  name: string;
  id: string;
  value: string;
  label: string;
  allowNone?: boolean;
}) {
  return (
    <select name={name} id={id} aria-label={label}>
      {allowNone ? (
        <option value="" selected={value === ""}>
          No access
        </option>
      ) : (
        ""
      )}
      {ROLES.map((r) => (
        <option value={r} selected={value === r}>
          {r}
        </option>
      ))}
    </select>
  );
}

export function RuleEditor(p: {
  view: View;
  draft: Draft;
  preview: MappingsPreview | null;
  error?: string | null;
  success?: string | null;
  canWrite: boolean;
}) {
  const n = p.draft.rules.length;
  return (
    <section aria-labelledby="rules-title">
      <h2 id="rules-title">Rules</h2>
      <p class="hint">
        Rules are read in order; when several match a user, the highest role wins (Admin, then Support, then
        Viewer). A group matches by its name or its identity provider id, in any letter case.
      </p>
      <FlashMessage error={p.error} success={p.success} />
      <form
        method="post"
        action="/groups/rules"
        id="rules-form"
        data-preview="/groups/preview"
        data-preview-target="#preview"
      >
        <CsrfField token={p.view.csrf} />
        {/* Enter in a field previews: the first submit button of a form is the one Enter presses. */}
        <button type="submit" name="op" value="preview" class="visually-hidden" tabindex="-1">
          Preview
        </button>
        <ol class="rules">
          {p.draft.rules.map((r, i) => (
            <li class="rule">
              <input
                name="group"
                value={r.group}
                aria-label={`Group of rule ${i + 1}`}
                placeholder="Group name or id"
              />
              <RoleSelect name="role" id={`rule-role-${i}`} value={r.role} label={`Role of rule ${i + 1}`} />
              <button
                type="submit"
                name="op"
                value={`up:${i}`}
                class="secondary"
                disabled={i === 0}
                aria-label={`Move rule ${i + 1} up`}
              >
                ↑
              </button>
              <button
                type="submit"
                name="op"
                value={`down:${i}`}
                class="secondary"
                disabled={i === n - 1}
                aria-label={`Move rule ${i + 1} down`}
              >
                ↓
              </button>
              <button
                type="submit"
                name="op"
                value={`remove:${i}`}
                class="secondary"
                aria-label={`Remove rule ${i + 1}`}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
        {n === 0 ? <p class="muted">No rules yet: every user gets the default role.</p> : ""}
        <p>
          <button type="submit" name="op" value="add" class="secondary">
            Add a rule
          </button>
        </p>
        <div class="field">
          <label for="default-role">Default role (when no rule matches)</label>
          <RoleSelect
            name="defaultRole"
            id="default-role"
            value={p.draft.defaultRole}
            label="Default role"
            allowNone
          />
        </div>
        <h3 id="preview-title">What saving would change</h3>
        <div id="preview" aria-live="polite" aria-labelledby="preview-title">
          <PreviewPanel preview={p.preview} />
        </div>
        <div class="actions">
          <button type="submit" name="op" value="preview" class="secondary">
            Preview
          </button>
          {p.canWrite ? (
            <button type="submit" name="op" value="save">
              Save rules
            </button>
          ) : (
            ""
          )}
          {p.preview?.wouldRemoveLastAdmin ? (
            <label class="inline-check">
              <input type="checkbox" name="force" value="true" /> Leave no Admin
            </label>
          ) : (
            ""
          )}
        </div>
      </form>
    </section>
  );
}

export function GroupsTable({ groups, nextCursor }: { groups: GroupDto[]; nextCursor: string | null }) {
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      {groups.length === 0 ? (
        <p class="muted">No groups yet: they arrive from your identity provider by SCIM or with sign-ins.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Members</th>
                <th scope="col">Source</th>
                <th scope="col">Mapped role</th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr>
                  <td>
                    <span safe>{g.displayName}</span>
                    {g.externalId ? (
                      <div class="hint mono" safe>
                        {g.externalId}
                      </div>
                    ) : (
                      ""
                    )}
                  </td>
                  <td>{g.memberCount}</td>
                  <td>{g.source === "scim" ? "SCIM" : g.source === "sso" ? "SSO sign-in" : "Manual"}</td>
                  <td>{g.role ?? "None"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor ? (
        <p>
          <a href={`/groups?cursor=${encodeURIComponent(nextCursor)}`}>More groups</a>
        </p>
      ) : (
        ""
      )}
    </section>
  );
}
