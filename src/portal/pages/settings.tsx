// Settings (Admins): the organization's name, whether password sign-in needs a second factor,
// and how long invitation links last. The same settings service as the admin API.
import type { Request, Response, Router } from "express";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { settingsPatch, type OrgSettings } from "../../orgs/orgs-service";
import { Field, FlashMessage, PostForm } from "../components";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import type { View } from "../view";
import { attempt, sentence } from "../form-result";

function SettingsBody({
  view,
  s,
  error,
  success,
}: {
  view: View;
  s: OrgSettings;
  error?: string;
  success?: string | null;
}) {
  return (
    <>
      <h1>Settings</h1>
      <FlashMessage error={error} success={success} />
      <PostForm action="/settings" csrf={view.csrf} class="panel">
        <Field label="Organization name" name="name" value={s.name} required />
        <div class="field">
          <label class="inline-check">
            <input type="checkbox" name="requireMfa" value="true" checked={s.requireMfa} /> Require two-factor
            authentication for password sign-in
          </label>
          <p class="hint">
            People without an authenticator set one up at their next password sign-in. Single sign-on is not
            affected: your identity provider decides.
          </p>
        </div>
        <Field
          label="Invitation links last (hours)"
          name="invitationTtlHours"
          type="number"
          value={String(s.invitationTtlHours)}
          required
        />
        <button type="submit">Save settings</button>
      </PostForm>
      <dl class="facts panel">
        <dt>Short name</dt>
        <dd>
          <code safe>{s.slug}</code> (used in sign-in and SCIM URLs; it never changes)
        </dd>
        <dt>Plan</dt>
        <dd>{s.plan}</dd>
        <dt>Seats</dt>
        <dd safe>
          {s.seatLimit === null ? `${s.seatsUsed} used, no limit` : `${s.seatsUsed} of ${s.seatLimit} used`}
        </dd>
      </dl>
    </>
  );
}

export function settingsPages(router: Router, services: Services): void {
  async function render(req: Request, res: Response, flash: { error?: string; status?: number } = {}) {
    const view = viewOf(res);
    const s = await services.orgs.getSettings(view.viewer!.org.id);
    const success = req.query.saved === "1" ? "Settings saved." : null;
    await page(
      res,
      { view, title: "Settings", nav: "settings", status: flash.status },
      <SettingsBody view={view} s={s} error={flash.error} success={flash.error ? null : success} />,
    );
  }

  router.get("/settings", allow("users:write"), (req, res) => render(req, res));
  router.post("/settings", formBody, services.csrf.verify, allow("users:write"), async (req, res) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    const result = await attempt(() =>
      services.orgs.updateSettings(
        ctxOf(res),
        settingsPatch.parse({
          name: b.name,
          requireMfa: b.requireMfa === "true",
          invitationTtlHours: b.invitationTtlHours ? Number(b.invitationTtlHours) : undefined,
        }),
      ),
    );
    if (!result.ok)
      return render(req, res, { error: sentence(result.error.message), status: result.error.status });
    res.redirect(303, "/settings?saved=1");
  });
}
