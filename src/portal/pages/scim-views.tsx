// The SCIM page's parts: the tokens table, the new token shown once, and provisioning activity
// (last call, the 24-hour counts, the latest error answers with their request id).
import { PostForm, RelTime } from "../components";
import type { CredentialView } from "../../credentials/credentials-service";
import type { ScimActivity } from "../../scim/activity/scim-activity";
import { CopyValue } from "./sso-setup-views";

export function NewToken({ name, token }: { name: string; token: string }) {
  return (
    <div class="notice notice-success" role="status">
      <p
        safe
      >{`Token "${name}" created. This is the only time it is shown: copy it into your identity provider now.`}</p>
      <CopyValue id="new-token" label="SCIM token (shown once)" value={token} />
    </div>
  );
}

export function TokensTable(props: { tokens: CredentialView[]; csrf: string; now: Date }) {
  if (props.tokens.length === 0) return <p>No SCIM token yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">SCIM tokens</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.tokens.map((tok) => (
            <tr>
              <td safe>{tok.name}</td>
              <td>
                <RelTime at={tok.createdAt} now={props.now} />
              </td>
              <td>
                <RelTime at={tok.lastUsedAt} now={props.now} />
              </td>
              <td>
                {tok.revokedAt ? (
                  <>
                    Revoked <RelTime at={tok.revokedAt} now={props.now} />
                  </>
                ) : (
                  <PostForm action={`/scim-setup/tokens/${tok.id}/revoke`} csrf={props.csrf} class="inline">
                    <button type="submit" class="danger" aria-label={`Revoke ${tok.name}`}>
                      Revoke
                    </button>
                  </PostForm>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">Revoking a token stops every request that uses it at once.</p>
    </div>
  );
}

export function ActivityPanel({ activity, now }: { activity: ScimActivity; now: Date }) {
  const c = activity.counts;
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Provisioning activity</h2>
      <p>
        Your identity provider last called: <RelTime at={activity.lastCallAt} now={now} />
      </p>
      <div class="grid">
        {(
          [
            ["Created", c.creates],
            ["Updated", c.updates],
            ["Deactivated", c.deactivations],
            ["Deleted", c.deletions],
            ["Errors", c.errors],
          ] as const
        ).map(([label, n]) => (
          <div class="panel">
            <p class="stat">{n}</p>
            <p>{label} in the last 24 hours</p>
          </div>
        ))}
      </div>
      <h3>Latest errors</h3>
      {activity.latestErrors.length === 0 ? (
        <p class="muted">No SCIM request has failed.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Latest SCIM errors</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">What we answered</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {activity.latestErrors.map((e) => (
                <tr>
                  <td>
                    <RelTime at={e.at} now={now} />
                  </td>
                  <td class="mono" safe>{`${e.method} ${e.path}`}</td>
                  <td safe>{`${e.status}${e.scimType ? ` ${e.scimType}` : ""}`}</td>
                  <td safe>{e.detail}</td>
                  <td class="mono" safe>
                    {e.requestId ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
