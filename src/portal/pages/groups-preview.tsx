// The preview of a rule change before it is saved: how many users change role, by new role,
// the first of them with from -> to, and the last-Admin guard where it would refuse the save.
import type { MappingsPreview } from "../../roles/preview-mappings";
import { Notice } from "../components";

export function PreviewPanel({ preview, error }: { preview: MappingsPreview | null; error?: string | null }) {
  if (error)
    return (
      <Notice kind="error">
        <span safe>{error}</span>
      </Notice>
    );
  if (!preview) return "";
  const by = (["Admin", "Support", "Viewer"] as const)
    .filter((r) => preview.byRole[r] > 0)
    .map((r) => `${preview.byRole[r]} → ${r}`);
  if (preview.byRole.none > 0) by.push(`${preview.byRole.none} → no role`);
  const summary =
    preview.changed === 0
      ? "No user changes role."
      : `${preview.changed} user${preview.changed === 1 ? "" : "s"} change${preview.changed === 1 ? "s" : ""} role: ${by.join(", ")}.`;
  return (
    <>
      <p class="stat" safe>
        {summary}
      </p>
      {preview.wouldRemoveLastAdmin ? (
        <Notice kind="warning">
          These rules leave no active Admin while single sign-on is on, so saving is refused: nobody could
          manage the organization. Map one of your identity provider's groups to Admin. If you must save
          anyway, tick "Leave no Admin"; an operator's break-glass link is then the only way back.
        </Notice>
      ) : (
        ""
      )}
      {preview.users.length > 0 ? (
        <div class="table-wrap">
          <table>
            <caption>
              {preview.changed > preview.users.length
                ? `The first ${preview.users.length} of ${preview.changed}`
                : "Users whose role changes"}
            </caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {preview.users.map((u) => (
                <tr>
                  <td>
                    <a href={`/users/${u.id}`} safe>
                      {u.email}
                    </a>
                  </td>
                  <td>{u.from ?? "No role"}</td>
                  <td>{u.to ?? "No role"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        ""
      )}
    </>
  );
}
