// The sign-in pages' markup: organization, then SSO or password, then the second factor.
import { CsrfField, FlashMessage, Field } from "../components";
import { QrCode } from "../qr";

export interface SignInProps {
  csrf: string;
  returnTo: string;
  error?: string | null;
  notice?: string | null;
}

const loginHref = (returnTo: string) =>
  returnTo === "/" ? "/login" : `/login?returnTo=${encodeURIComponent(returnTo)}`;

export function OrgStep(p: SignInProps & { org?: string }) {
  return (
    <>
      <h1>Sign in</h1>
      <FlashMessage error={p.error} success={p.notice} />
      <form method="get" action="/login">
        <input type="hidden" name="returnTo" value={p.returnTo} />
        <Field
          label="Organization"
          name="org"
          value={p.org}
          required
          autocomplete="organization"
          hint="Your organization's short name, as in its sign-in link (for example acme)."
        />
        <button type="submit">Continue</button>
      </form>
    </>
  );
}

export function SsoStep(p: SignInProps & { org: { slug: string; name: string } }) {
  const href = `/sso/${encodeURIComponent(p.org.slug)}/login?returnTo=${encodeURIComponent(p.returnTo)}`;
  return (
    <>
      <h1 safe>{`Sign in to ${p.org.name}`}</h1>
      <FlashMessage error={p.error} />
      <p>Your organization signs in with its identity provider.</p>
      <p>
        <a class="button" href={href}>
          Continue with SSO
        </a>
      </p>
      <p class="hint">
        Locked out because single sign-on is broken? An operator can give an Admin a one-time break-glass link
        (<code>sso-bridge recover</code>); it signs you in here.
      </p>
      <p>
        <a href={loginHref(p.returnTo)}>Use another organization</a>
      </p>
    </>
  );
}

export function PasswordStep(p: SignInProps & { org: { slug: string; name: string }; email?: string }) {
  return (
    <>
      <h1 safe>{`Sign in to ${p.org.name}`}</h1>
      <FlashMessage error={p.error} />
      <form method="post" action="/login">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="org" value={p.org.slug} />
        <input type="hidden" name="returnTo" value={p.returnTo} />
        <Field label="Email" name="email" type="email" value={p.email} required autocomplete="username" />
        <Field label="Password" name="password" type="password" required autocomplete="current-password" />
        <button type="submit">Sign in</button>
      </form>
      <p>
        <a href={loginHref(p.returnTo)}>Use another organization</a>
      </p>
    </>
  );
}

export function TotpStep(p: SignInProps) {
  return (
    <>
      <h1>Two-factor authentication</h1>
      <FlashMessage error={p.error} />
      <form method="post" action="/login/mfa">
        <CsrfField token={p.csrf} />
        <input type="hidden" name="returnTo" value={p.returnTo} />
        <Field
          label="Authentication code"
          name="code"
          required
          autocomplete="one-time-code"
          hint="The 6-digit code from your authenticator app, or one of your recovery codes."
        />
        <button type="submit">Verify</button>
      </form>
    </>
  );
}

/** Enrolment: scan the code (or type the key), then type the current code. */
export async function EnrolStep(
  p: SignInProps & { action: string; secret: string; otpauthUrl: string; label: string },
) {
  const safeQr = await QrCode({ text: p.otpauthUrl, label: p.label });
  return (
    <>
      <FlashMessage error={p.error} />
      <ol>
        <li>Open your authenticator app (1Password, Google Authenticator, Microsoft Authenticator…).</li>
        <li>Scan this code, or type the key below.</li>
      </ol>
      {safeQr}
      <p>
        Key:{" "}
        <code class="mono" id="totp-secret" safe>
          {p.secret}
        </code>
      </p>
      <form method="post" action={p.action}>
        <CsrfField token={p.csrf} />
        <input type="hidden" name="returnTo" value={p.returnTo} />
        <Field label="Code shown by the app" name="code" required autocomplete="one-time-code" />
        <button type="submit">Turn on two-factor authentication</button>
      </form>
    </>
  );
}

/** Shown once, right after enrolment. */
export function RecoveryCodes({ codes, next }: { codes: string[]; next: string }) {
  return (
    <>
      <h1>Save your recovery codes</h1>
      <p>
        Each code signs you in once if you lose your authenticator. Store them somewhere safe:{" "}
        <strong>they are shown only this once.</strong>
      </p>
      <ul class="mono" id="recovery-codes">
        {codes.map((c) => (
          <li safe>{c}</li>
        ))}
      </ul>
      <p>
        <button type="button" class="secondary" data-copy="#recovery-codes" hidden>
          Copy codes
        </button>
      </p>
      <p>
        <a class="button" href={next}>
          I saved them, continue
        </a>
      </p>
    </>
  );
}
