// The single sign-on stepper's first two steps: what to paste into the IdP (with copy buttons
// and short Okta / Entra / generic instructions), then the IdP's own values (metadata XML or
// fields for SAML; issuer, client and secret for OIDC).
import { PostForm } from "../components";

export interface SpValues {
  entityId: string;
  acsUrl: string;
  metadataUrl: string;
  redirectUri: string;
}

export function CopyValue({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div class="field">
      <label for={id} safe>
        {label}
      </label>
      <div class="copy-row">
        <input id={id} value={value} readonly class="mono" />
        <button type="button" class="secondary" data-copy={`#${id}`} hidden aria-label={`Copy ${label}`}>
          Copy
        </button>
      </div>
    </div>
  );
}

export function StepIdpApp({ sp }: { sp: SpValues }) {
  return (
    <>
      <p>Create an application for this organization in your identity provider with these values.</p>
      <h3>SAML</h3>
      <CopyValue id="sp-entity-id" label="SP entity ID (Audience URI)" value={sp.entityId} />
      <CopyValue id="sp-acs-url" label="ACS URL (single sign-on URL)" value={sp.acsUrl} />
      <CopyValue id="sp-metadata-url" label="SP metadata URL" value={sp.metadataUrl} />
      <p>
        <a href={sp.metadataUrl} download="sso-bridge-sp-metadata.xml">
          Download the SP metadata (XML)
        </a>
      </p>
      <h3>OpenID Connect</h3>
      <CopyValue id="oidc-redirect-uri" label="Redirect URI" value={sp.redirectUri} />
      <details>
        <summary>Okta</summary>
        <p>
          Applications → Create App Integration → SAML 2.0. Paste the ACS URL into "Single sign-on URL" and
          the SP entity ID into "Audience URI", Name ID format EmailAddress. Add a group attribute statement
          named "groups" (filter: matches regex .*). Then copy the app's metadata URL or XML into step 2.
        </p>
      </details>
      <details>
        <summary>Microsoft Entra ID</summary>
        <p>
          Enterprise applications → New application → Create your own → Set up single sign-on → SAML. Paste
          the SP entity ID as "Identifier" and the ACS URL as "Reply URL". Under Attributes &amp; Claims add a
          group claim. Download "Federation Metadata XML" and paste it into step 2.
        </p>
      </details>
      <details>
        <summary>Any other SAML 2.0 or OpenID Connect provider</summary>
        <p>
          For SAML, give it the SP metadata above (or the entity ID and ACS URL), have it sign responses or
          assertions, send the email as NameID or an "email" attribute and the groups in a "groups" attribute.
          For OpenID Connect, register a confidential client with the redirect URI above and the scopes openid
          email profile groups.
        </p>
      </details>
    </>
  );
}

type Errors = { field: string; message: string }[];

function FieldErrors({ errors }: { errors: Errors }) {
  if (errors.length === 0) return "";
  return (
    <div class="notice notice-error" role="alert">
      <p>The identity provider's details were not saved:</p>
      <ul>
        {errors.map((e) => (
          <li safe>{`${e.field}: ${e.message}`}</li>
        ))}
      </ul>
    </div>
  );
}

export function StepIdpDetails(props: {
  csrf: string;
  errors: Errors;
  current: Record<string, unknown> | null;
}) {
  const c = props.current;
  const isOidc = c?.protocol === "oidc";
  return (
    <>
      <FieldErrors errors={props.errors} />
      {c ? (
        <dl class="facts">
          <dt>Protocol</dt>
          <dd>{isOidc ? "OpenID Connect" : "SAML 2.0"}</dd>
          <dt>{isOidc ? "Issuer" : "IdP entity ID"}</dt>
          <dd safe>{String((isOidc ? c.issuer : c.idpEntityId) ?? "")}</dd>
          <dt>{isOidc ? "Client ID" : "IdP sign-in URL"}</dt>
          <dd safe>{String((isOidc ? c.clientId : c.idpSsoUrl) ?? "")}</dd>
        </dl>
      ) : (
        <p>Nothing saved yet.</p>
      )}
      <details open={!c}>
        <summary>{c ? "Replace with new details" : "Paste your identity provider's details"}</summary>
        <h3>SAML: the IdP's metadata</h3>
        <PostForm action="/sso-setup/connection" csrf={props.csrf}>
          <input type="hidden" name="protocol" value="saml" />
          <div class="field">
            <label for="f-idpMetadataXml">IdP metadata XML</label>
            <textarea id="f-idpMetadataXml" name="idpMetadataXml" rows="6" class="mono"></textarea>
          </div>
          <button type="submit">Save the metadata</button>
        </PostForm>
        <h3>SAML: or the fields one by one</h3>
        <PostForm action="/sso-setup/connection" csrf={props.csrf}>
          <input type="hidden" name="protocol" value="saml" />
          <div class="field">
            <label for="f-idpEntityId">IdP entity ID (issuer)</label>
            <input id="f-idpEntityId" name="idpEntityId" />
          </div>
          <div class="field">
            <label for="f-idpSsoUrl">IdP sign-in URL</label>
            <input id="f-idpSsoUrl" name="idpSsoUrl" type="url" />
          </div>
          <div class="field">
            <label for="f-idpCertificate">IdP signing certificate (PEM)</label>
            <textarea id="f-idpCertificate" name="idpCertificate" rows="5" class="mono"></textarea>
          </div>
          <button type="submit">Save the fields</button>
        </PostForm>
        <h3>OpenID Connect</h3>
        <PostForm action="/sso-setup/connection" csrf={props.csrf}>
          <input type="hidden" name="protocol" value="oidc" />
          <div class="field">
            <label for="f-issuer">Issuer URL</label>
            <input id="f-issuer" name="issuer" type="url" />
          </div>
          <div class="field">
            <label for="f-clientId">Client ID</label>
            <input id="f-clientId" name="clientId" />
          </div>
          <div class="field">
            <label for="f-clientSecret">Client secret</label>
            <input id="f-clientSecret" name="clientSecret" type="password" autocomplete="off" />
          </div>
          <div class="field">
            <label for="f-scopes">Scopes</label>
            <input id="f-scopes" name="scopes" value="openid email profile groups" />
          </div>
          <button type="submit">Save the OpenID Connect client</button>
        </PostForm>
      </details>
    </>
  );
}
