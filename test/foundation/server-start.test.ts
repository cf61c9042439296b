// Issue 13 item 12: starting the server. A taken port is reported in one line before anything
// is migrated; idle connections outlast a load balancer's; HOST chooses the listen address.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import request from "supertest";
import { start } from "../../src/main";
import { TEST_SECRET_KEY } from "../support/app";
import { tempDir } from "../support/temp-dir";

const freshEnv = () => ({
  SECRET_KEY: TEST_SECRET_KEY,
  LOG_LEVEL: "error",
  BASE_URL: "http://sso.test",
  DATA_DIR: path.join(tempDir("sso-start-"), "data"),
});

async function occupiedPort(): Promise<{ port: number; release(): Promise<void> }> {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, resolve));
  return {
    port: (holder.address() as AddressInfo).port,
    release: () => new Promise((resolve) => holder.close(() => resolve())),
  };
}

describe("when PORT is already in use", () => {
  test("then start refuses with `PORT n is already in use` before creating or migrating a database", async () => {
    const taken = await occupiedPort();
    const env = { ...freshEnv(), PORT: String(taken.port) };
    try {
      await expect(start(env)).rejects.toThrow(new RegExp(`^PORT ${taken.port} is already in use$`));
      expect(existsSync(env.DATA_DIR)).toBe(false);
    } finally {
      await taken.release();
    }
  });

  test("then the server process prints that one line and exits 1", async () => {
    const taken = await occupiedPort();
    const env = { ...process.env, ...freshEnv(), PORT: String(taken.port) };
    try {
      const run = promisify(execFile)(process.execPath, [path.join(__dirname, "../../dist/main.js")], {
        env,
      });
      const failed = await run.then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toBe(`sso-bridge: PORT ${taken.port} is already in use\n`);
    } finally {
      await taken.release();
    }
  });
});

describe("when the server listens", () => {
  test("then idle keep-alive connections and header reads outlast a load balancer's 60 s idle timeout, and HOST is the listen address", async () => {
    const app = await start({ ...freshEnv(), PORT: "0", HOST: "127.0.0.1" });
    try {
      expect(app.server.keepAliveTimeout).toBe(65_000);
      expect(app.server.headersTimeout).toBe(66_000);
      const address = app.server.address() as AddressInfo;
      expect(address.address).toBe("127.0.0.1");
      await request(`http://127.0.0.1:${address.port}`).get("/healthz").expect(200);
    } finally {
      await app.stop("test");
    }
  });
});
