// Issue 14 item 7: OIDC discovery is not a port scanner. With SSO_ALLOW_PRIVATE_URLS off (the
// default), private, loopback and link-local targets are refused, by literal or by what a name
// resolves to, before any connection; with it on, every network failure reads the same.
// Only 127.0.0.1 ever receives traffic here: other addresses are refused before connecting.
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import request from "supertest";
import { createTestApp, type TestApp } from "../../support/app";
import { startTestOp, type TestOp } from "../../support/oidc-provider";

let strict: TestApp;
let allowing: TestApp;
let op: TestOp;

beforeAll(async () => {
  strict = await createTestApp({ SSO_ALLOW_PRIVATE_URLS: "false" });
  allowing = await createTestApp({}, { db: strict.db });
  op = await startTestOp({ redirectUris: ["http://sso.test/sso/acme/oidc/callback"] });
});
afterAll(async () => {
  await op.close();
  await strict.close();
});

async function putIssuer(t: TestApp, issuer: string) {
  const org = await t.given.org();
  const key = await t.given.apiKey(org);
  const res = await request(t.app)
    .put(`/api/v1/orgs/${org.slug}/sso-connection`)
    .set("Authorization", `Bearer ${key}`)
    .send({ protocol: "oidc", issuer, clientId: op.clientId, clientSecret: op.clientSecret });
  return { org, res };
}

async function expectRefusedIssuer(t: TestApp, issuer: string, message: RegExp) {
  const { org, res } = await putIssuer(t, issuer);
  expect(res.status).toBe(400);
  expect(res.headers["content-type"]).toMatch(/application\/problem\+json/);
  expect(res.body.code).toBe("validation_failed");
  expect(res.body.errors).toEqual([{ field: "issuer", message: expect.stringMatching(message) }]);
  expect(await t.db.prisma.ssoConnection.count({ where: { orgId: org.id } })).toBe(0);
  return res.body.errors[0].message as string;
}

/** Every host:port a socket of this process was asked to connect to while `run` ran. */
async function connectionsDuring(run: () => Promise<void>): Promise<string[]> {
  const targets: string[] = [];
  const original = net.Socket.prototype.connect;
  const spy = jest.spyOn(net.Socket.prototype, "connect").mockImplementation(function (
    this: net.Socket,
    ...args: unknown[]
  ) {
    // net.connect hands the socket its normalized arguments: [options, callback].
    const options = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; port?: number };
    targets.push(`${options?.host}:${options?.port}`);
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return targets;
}

const PRIVATE = /private, loopback or link-local address.*SSO_ALLOW_PRIVATE_URLS=true/;

describe("OIDC discovery with SSO_ALLOW_PRIVATE_URLS off (issue 14 item 7)", () => {
  test("when the issuer is the provider on 127.0.0.1, then the PUT is refused and the provider receives no request", async () => {
    const before = op.discoveryFetches();
    await expectRefusedIssuer(strict, op.issuer, PRIVATE);
    expect(op.discoveryFetches()).toBe(before);
  });

  test("when the issuer is a name that resolves to loopback (localhost), then it is refused after resolving, and the provider receives no request", async () => {
    const before = op.discoveryFetches();
    const issuer = op.issuer.replace("127.0.0.1", "localhost");
    await expectRefusedIssuer(strict, issuer, /localhost is a private, loopback or link-local address/);
    expect(op.discoveryFetches()).toBe(before);
  });

  test.each([
    "https://10.0.0.1",
    "https://172.16.5.4/tenant",
    "https://192.168.1.10",
    "https://169.254.169.254",
    "https://100.64.0.1",
    "https://0.0.0.0",
    "https://[::1]",
    "https://[fd00::1]",
    "https://[fe80::1]",
    "https://[::ffff:10.0.0.1]",
    "https://[::ffff:127.0.0.1]",
    "https://[64:ff9b::a00:1]",
    "https://0x7f.1",
  ])("when the issuer is %s, then it is refused without any connection attempt", async (issuer) => {
    const targets = await connectionsDuring(async () => {
      await expectRefusedIssuer(strict, issuer, PRIVATE);
    });
    // The only connection is the test's own request to the app (supertest, an ephemeral port).
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => t.endsWith(":443") || !t.startsWith("127.0.0.1:"))).toEqual([]);
  });
});

describe("OIDC discovery with SSO_ALLOW_PRIVATE_URLS on (issue 14 item 7)", () => {
  test("when the issuer is the provider on 127.0.0.1, then the PUT succeeds", async () => {
    const { res } = await putIssuer(allowing, op.issuer);
    expect(res.status).toBe(201);
  });

  test("when the issuer's port is closed or the connection is reset, then both answer the same message, naming no network error", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const resetter = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((r) => resetter.listen(0, "127.0.0.1", r));
    const resetPort = (resetter.address() as AddressInfo).port;
    try {
      const messages = [];
      for (const port of [closedPort, resetPort]) {
        const message = await expectRefusedIssuer(allowing, `http://127.0.0.1:${port}`, /discovery failed/);
        expect(message).not.toMatch(/ECONN|UND_ERR|socket|EHOST|ENOTFOUND|ETIMEDOUT|hang up|fetch failed/i);
        messages.push(message.replaceAll(String(port), "PORT"));
      }
      expect(messages[0]).toContain("the provider could not be reached");
      expect(messages[1]).toBe(messages[0]);
    } finally {
      await new Promise<void>((r) => resetter.close(() => r()));
    }
  });
});
