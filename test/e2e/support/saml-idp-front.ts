// The browser's side of the real pysaml2 IdP (test/support/saml-idp.ts): a page on 127.0.0.1
// that takes our AuthnRequest (HTTP-Redirect binding), has pysaml2 sign the answer for the
// person chosen by the test, and shows a form that posts it to our ACS ("Continue": no script).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { inflateRawSync } from "node:zlib";
import type { SamlIdp } from "../../support/saml-idp";

export interface IdpPerson {
  nameId: string;
  attributes: Record<string, string[]>;
}

export interface IdpFront {
  ssoUrl: string;
  /** Who signs in at the IdP next. */
  person: IdpPerson;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startIdpFront(
  idp: SamlIdp,
  sp: { entityId: string; acsUrl: string },
): Promise<IdpFront> {
  const front: IdpFront = {
    ssoUrl: "",
    person: { nameId: "nobody@acme.test", attributes: {} },
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const request = inflateRawSync(
        Buffer.from(url.searchParams.get("SAMLRequest") ?? "", "base64"),
      ).toString();
      const inResponseTo = /\sID="([^"]+)"/.exec(request)?.[1] ?? null;
      const xml = await idp.respond({
        destination: sp.acsUrl,
        audience: sp.entityId,
        inResponseTo,
        nameId: front.person.nameId,
        attributes: front.person.attributes,
      });
      const relay = url.searchParams.get("RelayState");
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(`<!doctype html><html lang="en"><head><title>Test IdP</title></head><body><main>
<h1>Test identity provider</h1><p>Signed in as ${esc(front.person.nameId)}.</p>
<form method="post" action="${esc(sp.acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString("base64")}">
${relay ? `<input type="hidden" name="RelayState" value="${esc(relay)}">` : ""}
<button type="submit">Continue</button></form></main></body></html>`);
    })().catch((e: unknown) => {
      res.statusCode = 500;
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  front.ssoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso`;
  front.close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return front;
}
