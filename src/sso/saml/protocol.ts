// SAML 2.0 as an SSO protocol (issue 5): connection parsing and presentation, SP-initiated
// login (AuthnRequest over HTTP-Redirect, its id stored server-side), SP metadata, the ACS
// and the admin test of a pasted SAMLResponse.
import { Router } from "express";
import type { Services } from "../../services";
import type { SsoProtocol } from "../protocol";
import { ssoTargetOf } from "../target";
import { acsHandler } from "./acs";
import { describeCertificate } from "./certificates";
import { parseSamlConnection } from "./connection-input";
import { issueRequest } from "./replay-store";
import { samlOptionsFor } from "./saml-options";
import { samlConfigOf, spUrls } from "./saml-config";
import { createSamlPassport } from "./strategy";
import { testSamlResponse } from "./test-response";
import { formBody } from "../../http/csrf";

export function createSamlProtocol(services: Services): SsoProtocol {
  const passport = createSamlPassport();
  const { baseUrl } = services.config;

  const routes = Router({ mergeParams: true });
  routes.get("/saml/metadata", async (req, res) => {
    const { org, connection } = await ssoTargetOf(services, req, { protocol: "saml", requireEnabled: false });
    const cert = samlConfigOf(connection.config).spCertificate;
    const xml = await passport.metadata(req, samlOptionsFor(baseUrl, org, connection), cert);
    res.type("application/samlmetadata+xml").send(xml);
  });
  // HTTP-POST binding: the IdP posts a form; encrypted responses run to tens of kilobytes.
  routes.post("/saml/acs", formBody, acsHandler(services, passport));

  return {
    protocol: "saml",
    routes,

    async parseConnection(input, pctx) {
      return parseSamlConnection(input, pctx, services.clock());
    },

    present(connection, org) {
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
          nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
          certificate: config.spCertificate,
        },
      };
    },

    async startLogin(req, res, { org, connection, returnTo, testSessionId }) {
      const requestId = await issueRequest(
        services.db.prisma,
        org.id,
        returnTo,
        services.clock(),
        testSessionId ?? null,
      );
      res.set("Cache-Control", "no-store");
      const config = samlConfigOf(connection.config);
      if (config.idpSsoBinding === "post") {
        // node-saml's auto-post page submits a form to the IdP from an inline onload handler; the
        // app-wide CSP forbids both, so this one page gets a policy allowing exactly that.
        res.set(
          "Content-Security-Policy",
          `default-src 'none'; script-src-attr 'unsafe-inline'; form-action ${new URL(config.idpSsoUrl).origin}`,
        );
      }
      await passport.startLogin(req, res, samlOptionsFor(baseUrl, org, connection, requestId));
    },

    testSignIn: (input, target) => testSamlResponse(services, passport, input, target),
  };
}
