// Step 3 (test sign-in) and step 4 (turn on / off) of the single sign-on stepper, and the
// result of a test: what the IdP sent and the role it would give, or the refusal in words.
import { PostForm, RelTime } from "../components";
import { SSO_WORDS } from "../format";
import type { MappingsPreview } from "../../roles/preview-mappings";

export type TestResult = Record<string, unknown> & {
  id: string;
  passed: boolean;
  reason: string | null;
  message: string | null;
  subject: string | null;
  email: string | null;
  groups: string[];
  attributes: Record<string, unknown>;
  facts: Record<string, unknown>;
  role: string | null;
  roleSource: { kind: string; rules: { group: string; role: string }[] } | null;
  wouldCreateUser: boolean;
  requestId: string;
  testedAt: string;
};

function roleWords(r: TestResult): string {
  if (!r.role) return "no role";
  const rules = r.roleSource?.rules ?? [];
  if (r.roleSource?.kind === "default") return `${r.role} (the default role)`;
  if (rules.length > 0) return `${r.role}, because of group ${rules.map((x) => x.group).join(", ")}`;
  return r.role;
}

const valueText = (v: unknown): string => (Array.isArray(v) ? v.map(String).join(", ") : String(v));

export function TestResultPanel({ result, now }: { result: TestResult; now: Date }) {
  const subject = result.subject ?? (result.facts.nameId as string | undefined) ?? null;
  const groups: string = result.groups.length > 0 ? result.groups.join(", ") : "none sent";
  return (
    <section class="panel" aria-labelledby="result-title" id="test">
      <h3 id="result-title">
        {result.passed ? "Test sign-in passed" : "Test sign-in refused"} (
        <RelTime at={result.testedAt} now={now} />)
      </h3>
      {result.passed ? (
        <p class="notice notice-success" safe>
          {`This person would be signed in as ${roleWords(result)}.${result.wouldCreateUser ? " Their account would be created at their first sign-in." : ""}`}
        </p>
      ) : (
        <div class="notice notice-error" role="alert">
          <p safe>{result.message ?? "The sign-in was refused."}</p>
          <p class="muted">
            Reason code: <code safe>{result.reason ?? "unknown"}</code>
          </p>
        </div>
      )}
      <dl class="facts">
        <dt>NameID or subject</dt>
        <dd safe>{subject ?? "none"}</dd>
        <dt>Email</dt>
        <dd safe>{result.email ?? "none"}</dd>
        <dt>Groups</dt>
        <dd safe>{groups}</dd>
        <dt>Role it would give</dt>
        <dd safe>{roleWords(result)}</dd>
        <dt>Request id</dt>
        <dd class="mono" safe>
          {result.requestId}
        </dd>
      </dl>
      <h4>Attributes and claims received</h4>
      {Object.keys(result.attributes).length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(result.attributes).map(([name, value]) => (
                <tr>
                  <td class="mono" safe>
                    {name}
                  </td>
                  <td safe>{valueText(value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function StepTest(props: { slug: string; configured: boolean; testedAt: string | null; now: Date }) {
  if (!props.configured) return <p>Save your identity provider's details first (step 2).</p>;
  return (
    <>
      <p>
        Sign in once at your identity provider as a person who should get access. Nobody is signed in here and
        no account is created or changed; this works while single sign-on is off.
      </p>
      <p>
        Last passed: <RelTime at={props.testedAt} now={props.now} empty="not yet" />
      </p>
      <p>
        <a
          class="button"
          href={`/sso/${encodeURIComponent(props.slug)}/login?test=1`}
          target="_blank"
          rel="noopener"
        >
          Start a test sign-in (opens a new tab)
        </a>
      </p>
    </>
  );
}

export function StepTurnOn(props: { csrf: string; state: "on" | "off" | "not_set_up" }) {
  if (props.state === "not_set_up") return <p>Save your identity provider's details first (step 2).</p>;
  if (props.state === "on")
    return (
      <>
        <p>Single sign-on is on. Users and their roles come from your identity provider.</p>
        <PostForm action="/sso-setup/disable" csrf={props.csrf}>
          <p class="hint">
            Turning it off returns the organization to manual management; nothing is deleted.
          </p>
          <button type="submit" class="secondary">
            Turn single sign-on off
          </button>
        </PostForm>
      </>
    );
  return (
    <>
      <p>Single sign-on is {SSO_WORDS[props.state]}. Review what changes before turning it on.</p>
      <a class="button" href="/sso-setup/enable">
        Review and turn on
      </a>
    </>
  );
}

export function EnableConfirm(props: { csrf: string; preview: MappingsPreview }) {
  const p = props.preview;
  const by = Object.entries(p.byRole).filter(([, n]) => n > 0);
  return (
    <>
      <h1>Turn single sign-on on</h1>
      <div class="notice notice-warning" role="alert">
        <p>
          While single sign-on is on, manual management turns off: nobody can invite, edit, deactivate or
          delete users here, and every role comes from your identity provider's groups. People sign in through
          your identity provider only (the break-glass link still works).
        </p>
      </div>
      <p>
        <strong>{p.changed}</strong> user{p.changed === 1 ? "" : "s"} change role now
        {by.length > 0
          ? `: ${by.map(([role, n]) => `${n} → ${role === "none" ? "no role" : role}`).join(", ")}`
          : ""}
        .
      </p>
      {p.wouldRemoveLastAdmin ? (
        <p class="notice notice-error" role="alert">
          No active user would be Admin afterwards. Map a group to Admin on Groups &amp; roles first, or an
          Admin will get access back only by signing in through the identity provider.
        </p>
      ) : (
        ""
      )}
      {p.users.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Users whose role changes</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {p.users.map((u) => (
                <tr>
                  <td safe>{u.email}</td>
                  <td>{u.from ?? "no role"}</td>
                  <td>{u.to ?? "no role"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        ""
      )}
      <PostForm action="/sso-setup/enable" csrf={props.csrf} class="actions">
        {p.wouldRemoveLastAdmin ? <input type="hidden" name="force" value="true" /> : ""}
        <button type="submit">Turn single sign-on on</button>
        <a href="/sso-setup">Cancel</a>
      </PostForm>
    </>
  );
}
