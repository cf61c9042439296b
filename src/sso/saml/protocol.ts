// SAML 2.0 as an SSO protocol: connection parsing and presentation, SP-initiated login
// (AuthnRequest over HTTP-Redirect or HTTP-POST, its id stored server-side), SP metadata (served
// from the moment the organization exists), the ACS and the admin test of a pasted SAMLResponse.
import { Router } from "express";
import type { SsoDeps } from "../deps";
import { AppError } from "../../shared/errors";
import { inputOf, type SsoProtocol } from "../protocol";
import { acsHandler } from "./acs";
import { describeCertificate } from "./certificates";
import { parseSamlConnection, ssoUrlProblem } from "./connection-input";
import { issueRequest } from "./replay-store";
import { samlOptionsFor } from "./saml-options";
import { NAME_ID_FORMAT, samlConfigOf, spUrls } from "./saml-config";
import { spKeysOf } from "./sp-key-store";
import { spMetadataXml } from "./sp-metadata";
import { createSamlPassport } from "./strategy";
import { testSamlResponse } from "./test-response";

export function createSamlProtocol(deps: SsoDeps): SsoProtocol {
  const passport = createSamlPassport();
  const { baseUrl } = deps.config;

  const routes = Router({ mergeParams: true });
  routes.get("/saml/metadata", async (req, res) => {
    const org = await deps.orgs.findBySlug(String((req.params as Record<string, string>).org));
    if (!org) throw new AppError("not_found", "There is no organization at this address.");
    const xml = spMetadataXml(baseUrl, org, await spKeysOf(deps, org));
    res.type("application/samlmetadata+xml").send(xml);
  });
  // HTTP-POST binding: the IdP posts a form (read by createApp's formBody in front of /sso).
  routes.post("/saml/acs", acsHandler(deps));

  return {
    protocol: "saml",
    routes,

    async parseConnection(input, pctx) {
      const parsed = parseSamlConnection(inputOf("saml", input));
      // Made (or adopted from a connection stored before saml_sp_keys) before the PUT replaces
      // the connection: the pair the metadata already published stays the one in use.
      await spKeysOf(deps, pctx.org);
      return parsed;
    },

    async present(connection, org) {
      const config = samlConfigOf(connection.config);
      const urls = spUrls(baseUrl, org);
      return {
        idpEntityId: config.idpEntityId,
        idpSsoUrl: config.idpSsoUrl,
        idpSsoBinding: config.idpSsoBinding,
        idpCertificates: config.idpCertificates.map(describeCertificate),
        groupsAttribute: config.groupsAttribute,
        emailAttribute: config.emailAttribute,
        firstNameAttribute: config.firstNameAttribute,
        lastNameAttribute: config.lastNameAttribute,
        serviceProvider: {
          ...urls,
          nameIdFormat: NAME_ID_FORMAT,
          certificate: (await spKeysOf(deps, org)).certificatePem,
        },
      };
    },

    async startLogin(req, res, { org, connection, returnTo, testSessionId }) {
      const requestId = await issueRequest(
        deps.db.prisma,
        org.id,
        returnTo,
        deps.clock(),
        testSessionId ?? null,
      );
      res.set("Cache-Control", "no-store");
      const config = samlConfigOf(connection.config);
      // Connections stored before the SSO URL of IdP metadata was checked may hold another scheme.
      if (ssoUrlProblem(config.idpSsoUrl)) {
        throw new AppError(
          "forbidden",
          "This organization's SSO sign-in address is not valid; an admin must set up the SSO connection again.",
          {
            extra: { reason: "sso_misconfigured" },
          },
        );
      }
      if (config.idpSsoBinding === "post") {
        // node-saml's auto-post page submits a form to the IdP from an inline onload handler; the
        // app-wide CSP forbids both, so this one page gets a policy allowing exactly that.
        res.set(
          "Content-Security-Policy",
          `default-src 'none'; script-src-attr 'unsafe-inline'; form-action ${new URL(config.idpSsoUrl).origin}`,
        );
      }
      const { privateKeyPem } = await spKeysOf(deps, org);
      await passport.startLogin(req, res, samlOptionsFor(baseUrl, org, connection, privateKeyPem, requestId));
    },

    testSignIn: (input, target) => testSamlResponse(deps, input, target),
  };
}
