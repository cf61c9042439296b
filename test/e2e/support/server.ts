// The real app listening on 127.0.0.1 over the test file's own database (PGlite, or
// PostgreSQL in the e2e "postgres" project), with BASE_URL set to the address it listens on
// so that every link the app builds (invitations, SAML ACS, SCIM base URL) works in the browser.
import type { AddressInfo, Server } from "node:net";
import { createServer } from "node:net";
import type { Server as HttpServer } from "node:http";
import { createTestApp, type TestApp } from "../../support/app";

export interface PortalServer extends TestApp {
  baseUrl: string;
  url(path: string): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe: Server = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startPortal(env: Record<string, string> = {}): Promise<PortalServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ BASE_URL: baseUrl, ...env });
  const server: HttpServer = await new Promise((resolve) => {
    const s = t.app.listen(port, "127.0.0.1", () => resolve(s));
  });
  return {
    ...t,
    baseUrl,
    url: (path: string) => `${baseUrl}${path}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
