// Users (Admins): one server-paginated table with the role and why, filters kept in the URL so
// that a view can be shared. Reads through the same list service as GET /api/v1/.../users.
import type { Request, Router } from "express";
import type { Services } from "../../services";
import type { UserDto } from "../../users/present";
import { listUsersQuery } from "../../users/list-users";
import { ROLES } from "../../roles/permissions";
import { RelTime } from "../components";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { displayName, type View } from "../view";
import { PROVISIONED_WORDS, STATUS_WORDS } from "../format";
import { whyShort } from "../role-words";
import { userPages } from "./user";

const STATUSES = ["active", "invited", "deactivated", "blocked"] as const;
type Filters = { q: string; role: string; status: string; limit: string };

const filtersOf = (req: Request): Filters => {
  const s = (k: string) => (typeof req.query[k] === "string" ? (req.query[k] as string).trim() : "");
  return { q: s("q"), role: s("role"), status: s("status"), limit: s("limit") };
};

const queryString = (f: Filters & { cursor?: string }): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
};

function FilterForm({ f }: { f: Filters }) {
  return (
    <form method="get" action="/users" class="filters" role="search">
      <div class="field">
        <label for="f-q">Search</label>
        <input id="f-q" name="q" type="search" value={f.q} placeholder="Name or email" />
      </div>
      <div class="field">
        <label for="f-role">Role</label>
        <select id="f-role" name="role">
          <option value="">Any role</option>
          {[...ROLES, "none"].map((r) => (
            <option value={r} selected={f.role === r} safe>
              {r === "none" ? "No role" : r}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="f-status">Status</label>
        <select id="f-status" name="status">
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option value={s} selected={f.status === s} safe>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </div>
      {f.limit ? <input type="hidden" name="limit" value={f.limit} /> : ""}
      <button type="submit">Filter</button>
      {f.q || f.role || f.status ? <a href="/users">Clear filters</a> : ""}
    </form>
  );
}

function UserRow({ u, view }: { u: UserDto; view: View }) {
  return (
    <tr>
      <td data-label="Name">
        <a href={`/users/${u.id}`} safe>
          {displayName(u)}
        </a>
      </td>
      <td data-label="Email" safe>
        {u.email}
      </td>
      <td data-label="Status" safe>
        {STATUS_WORDS[u.status]}
      </td>
      <td data-label="Role">{u.role ?? "No role"}</td>
      <td data-label="Why" safe>
        {whyShort(u.role, u.roleSource)}
      </td>
      <td data-label="Provisioned by" class="hide-narrow" safe>
        {PROVISIONED_WORDS[u.provisionedBy]}
      </td>
      <td data-label="Last sign-in" class="hide-narrow">
        <RelTime at={u.lastSignInAt} now={view.now} />
      </td>
    </tr>
  );
}

export function UsersBody(p: {
  view: View;
  users: UserDto[];
  nextCursor: string | null;
  f: Filters;
  paged: boolean;
}) {
  const filtered = Boolean(p.f.q || p.f.role || p.f.status);
  return (
    <>
      <h1>Users</h1>
      <p>
        <a href="/invitations">Invite someone</a>
      </p>
      <FilterForm f={p.f} />
      {p.users.length === 0 ? (
        filtered || p.paged ? (
          <p>No user matches these filters.</p>
        ) : (
          <p>
            No users yet. <a href="/scim-setup">Connect SCIM</a> or <a href="/invitations">invite someone</a>.
          </p>
        )
      ) : (
        <div class="table-wrap">
          <table class="cards">
            <caption class="visually-hidden">Users of the organization</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Role</th>
                <th scope="col">Why</th>
                <th scope="col" class="hide-narrow">
                  Provisioned by
                </th>
                <th scope="col" class="hide-narrow">
                  Last sign-in
                </th>
              </tr>
            </thead>
            <tbody>
              {p.users.map((u) => (
                <UserRow u={u} view={p.view} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {p.paged ? <a href={`/users${queryString(p.f)}`}>First page</a> : ""}
        {p.nextCursor ? <a href={`/users${queryString({ ...p.f, cursor: p.nextCursor })}`}>Next page</a> : ""}
      </nav>
    </>
  );
}

export function usersPages(router: Router, services: Services): void {
  router.get("/users", allow("users:read"), async (req, res) => {
    const view = viewOf(res);
    const f = filtersOf(req);
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    const query = Object.fromEntries(Object.entries({ ...f, cursor }).filter(([, v]) => v));
    const result = await services.users.list(view.viewer!.org.id, listUsersQuery.parse(query));
    await page(
      res,
      { view, title: "Users", nav: "users" },
      <UsersBody
        view={view}
        users={result.data}
        nextCursor={result.nextCursor}
        f={f}
        paged={Boolean(cursor)}
      />,
    );
  });
  userPages(router, services);
}
