// Sign-in activity (issue 19 item 6): the first place an admin looks when "SSO doesn't work".
// Sign-ins and refusals with their reason, newest first, filterable by result, in cursor pages,
// from the same read as GET /api/v1/orgs/{org}/sign-ins. Admins only (audit:read).
import type { Router } from "express";
import { z } from "zod";
import type { Services } from "../../services";
import { listSignInPage, type SignInEntry } from "../../audit/sign-in-activity";
import { RelTime } from "../components";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";

const PAGE = 50;
const query = z.object({
  result: z.enum(["succeeded", "refused"]).optional().catch(undefined),
  cursor: z.string().optional().catch(undefined),
});

const METHOD_WORDS: Record<SignInEntry["method"], string> = {
  saml: "SAML",
  oidc: "OpenID Connect",
  password: "Password",
  "break-glass": "Break-glass link",
};

/** Reason codes in words; the code itself stays beside them for searching the docs. */
const REASON_WORDS: Record<string, string> = {
  no_role: "none of their groups gives a role",
  user_deactivated: "the account is deactivated",
  user_blocked: "the account is blocked",
  not_provisioned: "not provisioned by SCIM",
  sso_disabled: "single sign-on was off",
  signature_invalid: "the response was not signed by the configured certificate",
  audience_mismatch: "the assertion was meant for another application",
  invalid_credentials: "wrong password",
  invalid_totp: "wrong authentication code",
  assertion_replayed: "the assertion was used before",
  in_response_to_expired: "the sign-in took too long",
  seat_limit: "no seats left",
  missing_email: "the identity provider sent no email",
};

function Row({ e, now }: { e: SignInEntry; now: Date }) {
  return (
    <tr>
      <td>
        <RelTime at={e.at} now={now} />
      </td>
      <td>
        {e.userId ? (
          <a href={`/users/${e.userId}`} safe>
            {e.who ?? "user"}
          </a>
        ) : (
          <span safe>{e.who ?? "unknown"}</span>
        )}
      </td>
      <td safe>{METHOD_WORDS[e.method]}</td>
      <td>{e.result === "succeeded" ? "Signed in" : "Refused"}</td>
      <td>
        {e.reason ? (
          <>
            <span safe>{REASON_WORDS[e.reason] ?? e.reason}</span> <code safe>{e.reason}</code>
          </>
        ) : (
          ""
        )}
      </td>
      <td class="mono hide-narrow" safe>
        {e.requestId ?? ""}
      </td>
    </tr>
  );
}

export function activityPages(router: Router, services: Services): void {
  router.get("/activity", allow("audit:read"), async (req, res) => {
    const view = viewOf(res);
    const q = query.parse(req.query);
    const { data: shown, nextCursor: next } = await listSignInPage(services.db.prisma, view.viewer!.org.id, {
      ...q,
      limit: PAGE,
    });
    const link = (extra: Record<string, string | undefined>) => {
      const p = new URLSearchParams(
        Object.entries({ result: q.result, ...extra }).filter(([, v]) => v) as [string, string][],
      );
      return `/activity${p.size ? `?${p}` : ""}`;
    };
    const body = (
      <>
        <h1>Sign-in activity</h1>
        <nav aria-label="Filter by result" class="filters">
          <a href="/activity" aria-current={!q.result ? "page" : undefined}>
            All
          </a>
          <a href="/activity?result=refused" aria-current={q.result === "refused" ? "page" : undefined}>
            Refused
          </a>
          <a href="/activity?result=succeeded" aria-current={q.result === "succeeded" ? "page" : undefined}>
            Signed in
          </a>
        </nav>
        {shown.length === 0 ? (
          <p>No sign-in yet{q.result === "refused" ? " has been refused" : ""}.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Sign-ins and refusals, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Method</th>
                  <th scope="col">Result</th>
                  <th scope="col">Reason</th>
                  <th scope="col" class="hide-narrow">
                    Request id
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <Row e={e} now={view.now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {next ? (
          <p class="pager">
            <a href={link({ cursor: next })}>Older</a>
          </p>
        ) : (
          ""
        )}
      </>
    );
    await page(res, { view, title: "Activity", nav: "activity" }, body);
  });
}
