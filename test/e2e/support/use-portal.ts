// The set-up every browser test file shares: the real app on 127.0.0.1 and one Chromium, started
// before the file's tests and stopped after them.
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";
import { startPortal, type PortalServer } from "./server";

export function usePortal(receive: (server: PortalServer, browser: Browser) => void): void {
  let server: PortalServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startPortal(), launchBrowser()]);
    receive(server, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
}
