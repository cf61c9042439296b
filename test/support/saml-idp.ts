// A real SAML IdP for tests: Debian's pysaml2 (test/support/saml-idp.py) signs and encrypts with
// xmlsec1, in one long-lived child process; keys are made by openssl in a temp directory.
// startSamlIdp() per test file; idp.respond({...}) returns the Response XML; close() in afterAll.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

export interface ResponseRequest {
  destination: string;
  audience: string;
  recipient?: string;
  inResponseTo?: string | null;
  nameId: string;
  attributes?: Record<string, string[]>;
  signResponse?: boolean;
  signAssertion?: boolean;
  /** PEM of the SP's encryption certificate: the assertion is encrypted for it. */
  encryptCertPem?: string;
  /** Our SP metadata, loaded by the IdP (pysaml2 needs it to encrypt for that SP). */
  spMetadataXml?: string;
  lifetimeMinutes?: number;
}

export interface SamlIdp {
  entityId: string;
  certPem: string;
  ssoUrl: string;
  metadataXml(extraCertPems?: string[]): string;
  respond(req: ResponseRequest): Promise<string>;
}

export interface SamlIdpPool {
  /** An IdP with its own entity id and a fresh key pair (or the given key and certificate files). */
  create(entityId: string, keys?: { keyFile: string; certFile: string }): SamlIdp;
  close(): Promise<void>;
}

const PY = "/usr/bin/python3";
const SCRIPT = path.join(__dirname, "saml-idp.py");

const base64Body = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

export function startSamlIdps(): SamlIdpPool {
  const dir = mkdtempSync(path.join(tmpdir(), "saml-idp-"));
  const child: ChildProcessWithoutNullStreams = spawn(PY, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.(line));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // Why: if the IdP process dies (python3-pysaml2 or xmlsec1 missing: .ci/run installs them),
  // every pending and later request must fail with its stderr, not hang until the test timeout.
  let exited: Error | null = null;
  child.once("exit", (code) => {
    exited = new Error(`the pysaml2 IdP exited (${code}): ${stderr.trim() || "no output"}`);
    for (const settle of waiting.splice(0)) settle(JSON.stringify({ error: exited.message }));
  });
  let queue: Promise<unknown> = Promise.resolve();
  let n = 0;

  function ask(payload: object): Promise<string> {
    const next = queue.then(
      () =>
        new Promise<string>((resolve, reject) => {
          if (exited) return reject(exited);
          waiting.push((line) => {
            const out = JSON.parse(line) as { xml?: string; error?: string };
            if (out.xml) resolve(out.xml);
            else reject(new Error(`pysaml2 failed: ${out.error} ${stderr}`));
          });
          child.stdin.write(`${JSON.stringify(payload)}\n`);
        }),
    );
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    create(entityId, keys) {
      const id = ++n;
      const keyFile = keys?.keyFile ?? path.join(dir, `idp${id}.key`);
      const certFile = keys?.certFile ?? path.join(dir, `idp${id}.crt`);
      if (!keys)
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "3",
            "-subj",
            `/CN=test-idp-${id}`,
            "-keyout",
            keyFile,
            "-out",
            certFile,
          ],
          { stdio: "ignore" },
        );
      const certPem = readFileSync(certFile, "utf8");
      const ssoUrl = `${entityId}/sso/redirect`;
      return {
        entityId,
        certPem,
        ssoUrl,
        metadataXml(extraCertPems = []) {
          const keys = [certPem, ...extraCertPems]
            .map(
              (pem) =>
                `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Body(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
            )
            .join("");
          return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    ${keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${entityId}/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
        },
        respond: (req) =>
          ask({
            idpEntityId: entityId,
            keyFile,
            certFile,
            signAssertion: true,
            ...req,
            inResponseTo: req.inResponseTo ?? null,
          }),
      };
    },
    async close() {
      child.stdin.end();
      if (!exited) await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
