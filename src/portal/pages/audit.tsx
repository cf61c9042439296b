// Audit log (Admins): newest first, cursor pages, filtered by actor, action and user; the
// filters stay in the URL. The same audit listing as GET /api/v1/.../audit-events.
import type { Request, Router } from "express";
import type { Services } from "../../services";
import { auditQuery, listAuditEvents, type AuditEventView } from "../../audit/list-events";
import { RelTime } from "../components";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import type { View } from "../view";
import { actorWords } from "../audit-words";

type Filters = { actor: string; action: string; user: string };

const filtersOf = (req: Request): Filters => {
  const s = (k: string) => (typeof req.query[k] === "string" ? (req.query[k] as string).trim() : "");
  return { actor: s("actor"), action: s("action"), user: s("user") };
};

const link = (f: Filters, cursor?: string) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...f, cursor })) if (v) p.set(k, v);
  const s = p.toString();
  return s ? `/audit?${s}` : "/audit";
};

/** The event's facts in one line; reason codes and ids, never secrets (they are never recorded). */
const detailOf = (e: AuditEventView): string => {
  const d = (e.data ?? {}) as Record<string, unknown>;
  return Object.entries(d)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .slice(0, 4)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(" · ");
};

function AuditBody({
  view,
  events,
  nextCursor,
  f,
  paged,
}: {
  view: View;
  events: AuditEventView[];
  nextCursor: string | null;
  f: Filters;
  paged: boolean;
}) {
  return (
    <>
      <h1>Audit log</h1>
      <form method="get" action="/audit" class="filters" role="search">
        <div class="field">
          <label for="f-actor">Actor (email or token name)</label>
          <input id="f-actor" name="actor" value={f.actor} />
        </div>
        <div class="field">
          <label for="f-action">Action</label>
          <input id="f-action" name="action" value={f.action} placeholder="user.updated" />
        </div>
        <div class="field">
          <label for="f-user">User id</label>
          <input id="f-user" name="user" value={f.user} />
        </div>
        <button type="submit">Filter</button>
        {f.actor || f.action || f.user ? <a href="/audit">Clear filters</a> : ""}
      </form>
      {events.length === 0 ? (
        <p class="muted">No events match.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
                <th scope="col" class="hide-narrow">
                  Request id
                </th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr>
                  <td>
                    <RelTime at={e.createdAt} now={view.now} />
                  </td>
                  <td safe>{actorWords(e)}</td>
                  <td>
                    <code safe>{e.action}</code>
                    {e.targetType === "user" && e.targetId ? (
                      <>
                        {" "}
                        <a href={`/users/${e.targetId}`}>user</a>
                      </>
                    ) : (
                      ""
                    )}
                  </td>
                  <td safe>{detailOf(e)}</td>
                  <td class="hide-narrow mono" safe>
                    {e.requestId ?? ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        {paged ? <a href={link(f)}>Newest</a> : ""}
        {nextCursor ? <a href={link(f, nextCursor)}>Older events</a> : ""}
      </nav>
    </>
  );
}

export function auditPages(router: Router, services: Services): void {
  router.get("/audit", allow("audit:read"), async (req, res) => {
    const view = viewOf(res);
    const f = filtersOf(req);
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    const query = Object.fromEntries(
      Object.entries({ actor: f.actor, action: f.action, targetId: f.user, cursor }).filter(([, v]) => v),
    );
    const result = await listAuditEvents(services.db.prisma, view.viewer!.org.id, auditQuery.parse(query));
    await page(
      res,
      { view, title: "Audit log", nav: "audit" },
      <AuditBody
        view={view}
        events={result.data}
        nextCursor={result.nextCursor}
        f={f}
        paged={Boolean(cursor)}
      />,
    );
  });
}
