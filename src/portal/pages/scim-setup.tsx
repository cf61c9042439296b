// The SCIM page (issue 19 item 5): the base URL to paste into the IdP, tokens (created with the
// value shown once, revoked, last used) and provisioning activity, over the same services as
// the admin API's /scim-tokens and /scim-activity. Admins only (scim:write).
import type { Request, Response, Router } from "express";
import { z } from "zod";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { readScimActivity } from "../../scim/activity/scim-activity";
import { FlashMessage, PostForm } from "../components";
import { attempt, sentence } from "../form-result";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { CopyValue } from "./sso-setup-views";
import { ActivityPanel, NewToken, TokensTable } from "./scim-views";

const tokenName = z.string().trim().min(1).max(100);

export function scimSetupPages(router: Router, services: Services): void {
  const verify = [formBody, services.csrf.verify];
  const guard = allow("scim:write");

  async function render(
    _req: Request,
    res: Response,
    extra: { created?: { name: string; token: string }; error?: string; success?: string } = {},
    status = 200,
  ) {
    const view = viewOf(res);
    const org = view.viewer!.org;
    const [tokens, activity] = await Promise.all([
      services.credentials.list("scim_token", org.id),
      readScimActivity(services.db, org.id, view.now),
    ]);
    const body = (
      <>
        <h1>SCIM provisioning</h1>
        <FlashMessage error={extra.error} success={extra.success} />
        {extra.created ? <NewToken {...extra.created} /> : ""}
        <section class="panel" aria-labelledby="connect-title">
          <h2 id="connect-title">Connect your identity provider</h2>
          <p>Give your identity provider the base URL and a token (HTTP header "Authorization: Bearer").</p>
          <CopyValue id="scim-base-url" label="SCIM base URL" value={services.scimBaseUrl(org.slug)} />
        </section>
        <section aria-labelledby="tokens-title">
          <h2 id="tokens-title">Tokens</h2>
          <TokensTable tokens={tokens} csrf={view.csrf} now={view.now} />
          <PostForm action="/scim-setup/tokens" csrf={view.csrf} class="filters">
            <div class="field">
              <label for="f-token-name">New token's name</label>
              <input id="f-token-name" name="name" value="okta" required maxlength="100" />
            </div>
            <button type="submit">Create a token</button>
          </PostForm>
        </section>
        <ActivityPanel activity={activity} now={view.now} />
      </>
    );
    await page(res, { view, title: "SCIM", nav: "scim", status }, body);
  }

  router.get("/scim-setup", guard, (req, res) => render(req, res));

  router.post("/scim-setup/tokens", guard, ...verify, async (req, res) => {
    const result = await attempt(async () =>
      services.credentials.create("scim_token", ctxOf(res), tokenName.parse(req.body?.name)),
    );
    if (!result.ok) return render(req, res, { error: sentence(result.error.message) }, 400);
    await render(req, res, { created: { name: result.value.name, token: result.value.token } }, 201);
  });

  router.post("/scim-setup/tokens/:id/revoke", guard, ...verify, async (req, res) => {
    const result = await attempt(() =>
      services.credentials.revoke("scim_token", ctxOf(res), z.uuid().parse(req.params.id)),
    );
    if (!result.ok) return render(req, res, { error: sentence(result.error.message) }, result.error.status);
    await render(req, res, { success: "The token is revoked." });
  });
}
