// Single sign-on set-up as a guided flow (issue 19 item 4): a stepper (1 your IdP's app,
// 2 IdP details, 3 test, 4 turn on), each step saying what is done and what is missing, over
// the same services as the admin API's /sso-connection. Admins only (sso:write).
import type { PropsWithChildren } from "@kitajs/html";
import type { Request, Response, Router } from "express";
import type { Services } from "../../services";
import type { Organization } from "../../generated/prisma/client";
import { ctxOf, requireAuthOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { loadConnection } from "../../sso/connection-store";
import { ssoConnectionInput } from "../../sso/connection-schema";
import { spUrls } from "../../sso/saml/saml-config";
import { callbackUrl } from "../../sso/oidc/settings";
import { readTestResult } from "../../sso/test-sign-in/record-result";
import { AppError } from "../../shared/errors";
import { FlashMessage } from "../components";
import { attempt, sentence } from "../form-result";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { StepIdpApp, StepIdpDetails } from "./sso-setup-views";
import { EnableConfirm, StepTest, StepTurnOn, TestResultPanel, type TestResult } from "./sso-test-views";

const str = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** The admin API's body, from one of step 2's forms. */
function connectionBody(form: Record<string, unknown>): Record<string, unknown> {
  if (form.protocol === "oidc")
    return {
      protocol: "oidc",
      issuer: str(form.issuer),
      clientId: str(form.clientId),
      clientSecret: str(form.clientSecret),
      scopes: str(form.scopes) || undefined,
    };
  if (str(form.idpMetadataXml)) return { protocol: "saml", idpMetadataXml: str(form.idpMetadataXml) };
  return {
    protocol: "saml",
    idpEntityId: str(form.idpEntityId),
    idpSsoUrl: str(form.idpSsoUrl),
    idpCertificates: str(form.idpCertificate) ? [str(form.idpCertificate)] : [],
  };
}

function sessionOf(res: Response): { org: Organization; sessionId: string } {
  const auth = requireAuthOf(res);
  if (auth.kind !== "session") throw new AppError("unauthorized", "sign in first");
  return { org: auth.org, sessionId: auth.sessionId };
}

function Step(props: PropsWithChildren<{ n: number; title: string; done: boolean; missing: string }>) {
  return (
    <section class="panel" id={`step-${props.n}`} aria-labelledby={`step-${props.n}-title`}>
      <h2 id={`step-${props.n}-title`} class={props.done ? "done" : "todo"} safe>
        {`${props.n}. ${props.title}`}
      </h2>
      <p class="muted" safe>
        {props.done ? "Done." : props.missing}
      </p>
      {props.children}
    </section>
  );
}

export function ssoSetupPages(router: Router, services: Services): void {
  const connections = services.ssoConnections;
  const verify = [formBody, services.csrf.verify];
  const { baseUrl } = services.config;

  async function render(
    req: Request,
    res: Response,
    flash: { error?: string; errors?: never[] } = {},
    status = 200,
  ) {
    const view = viewOf(res);
    const { org, sessionId } = sessionOf(res);
    const record = await loadConnection(services.db.prisma, services.cipher, org.id);
    const current = record ? await connections.present(record, org) : null;
    const asked = str(req.query.result);
    const result = (await readTestResult(
      services,
      org.id,
      sessionId,
      asked || "latest",
    )) as TestResult | null;
    const urls = spUrls(baseUrl, org);
    const sp = { ...urls, redirectUri: callbackUrl(baseUrl, org) };
    const state = !record ? "not_set_up" : record.enabled ? "on" : "off";
    const errors = (flash.errors ?? []) as { field: string; message: string }[];
    const notAfter = current?.certificateExpiresAt as string | null | undefined;
    const daysLeft = (current?.certificateDaysLeft as number | null | undefined) ?? 0;
    const body = (
      <>
        <h1>Single sign-on</h1>
        <ol class="checklist" aria-label="Steps">
          <li class={record ? "done" : "todo"}>
            <a href="#step-1">Your IdP's app</a>
          </li>
          <li class={record ? "done" : "todo"}>
            <a href="#step-2">IdP details</a>
          </li>
          <li class={record?.testedAt ? "done" : "todo"}>
            <a href="#step-3">Test</a>
          </li>
          <li class={record?.enabled ? "done" : "todo"}>
            <a href="#step-4">Turn on</a>
          </li>
        </ol>
        <FlashMessage error={flash.error} success={req.query.saved === "1" ? "Saved." : null} />
        {notAfter ? (
          <p safe>
            {`The identity provider's signing certificate ${daysLeft < 0 ? "has expired" : `expires in ${daysLeft} days`} (${notAfter.slice(0, 10)}).`}
          </p>
        ) : (
          ""
        )}
        <Step
          n={1}
          title="Your IdP's app"
          done={!!record}
          missing="Create the app in your identity provider."
        >
          <StepIdpApp sp={sp} />
        </Step>
        <Step n={2} title="IdP details" done={!!record} missing="Paste your identity provider's details.">
          <StepIdpDetails csrf={view.csrf} errors={errors} current={current} />
        </Step>
        <Step n={3} title="Test" done={!!record?.testedAt} missing="No test sign-in has passed yet.">
          <>
            <StepTest
              slug={org.slug}
              configured={!!record}
              testedAt={record?.testedAt?.toISOString() ?? null}
              now={view.now}
            />
            {result ? <TestResultPanel result={result} now={view.now} /> : ""}
          </>
        </Step>
        <Step n={4} title="Turn on" done={state === "on"} missing="Single sign-on is not on yet.">
          <StepTurnOn csrf={view.csrf} state={state} />
        </Step>
      </>
    );
    await page(res, { view, title: "Single sign-on", nav: "sso", status }, body);
  }

  router.get("/sso-setup", allow("sso:write"), (req, res) => render(req, res));

  router.post("/sso-setup/connection", allow("sso:write"), ...verify, async (req, res) => {
    const { org } = sessionOf(res);
    const result = await attempt(() =>
      connections.put(ctxOf(res), org, ssoConnectionInput.parse(connectionBody(req.body ?? {}))),
    );
    if (!result.ok) {
      const errors = (result.error.errors ?? []) as never[];
      return render(
        req,
        res,
        { error: errors.length ? undefined : sentence(result.error.message), errors },
        400,
      );
    }
    res.redirect(303, "/sso-setup?saved=1#step-3");
  });

  router.get("/sso-setup/enable", allow("sso:write"), async (_req, res) => {
    const ctx = ctxOf(res);
    const mappings = await services.roles.getMappings(ctx);
    const preview = await services.roles.previewMappings(ctx, mappings, { assumeSsoOn: true });
    const view = viewOf(res);
    await page(
      res,
      { view, title: "Turn single sign-on on", nav: "sso" },
      <EnableConfirm csrf={view.csrf} preview={preview} />,
    );
  });

  router.post("/sso-setup/enable", allow("sso:write"), ...verify, async (req, res) => {
    const { org } = sessionOf(res);
    const force = req.body?.force === "true";
    const result = await attempt(() => connections.enable(ctxOf(res), org, { force }));
    if (!result.ok) return render(req, res, { error: sentence(result.error.message) }, result.error.status);
    res.redirect(303, "/sso-setup#step-4");
  });

  router.post("/sso-setup/disable", allow("sso:write"), ...verify, async (req, res) => {
    const { org } = sessionOf(res);
    await connections.disable(ctxOf(res), org);
    res.redirect(303, "/sso-setup#step-4");
  });
}
