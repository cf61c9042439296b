// The sso-bridge CLI: contract shapes with --json, errors and exit codes, and the embedded
// database shared with a running server through the control socket.
import type { AddressInfo } from "node:net";
import request from "supertest";
import { start } from "../../src/main";
import { createCliEnv, type CliEnv } from "../support/cli";

let harness: CliEnv;
let env: Record<string, string>;
const cli = (...args: string[]) => harness.cli(...args);

beforeAll(async () => {
  harness = await createCliEnv("sso-cli-");
  env = harness.env;
});
afterAll(() => harness.dispose());

describe("with no server running", () => {
  test("when an org is created with --json, then exactly one JSON object of the contract's shape is printed", async () => {
    const res = await cli(
      "org",
      "create",
      "--slug",
      "acme",
      "--name",
      "Acme Corp",
      "--plan",
      "team",
      "--json",
    );
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split("\n")).toHaveLength(1);
    expect(res.json).toEqual({ id: expect.any(String), slug: "acme", name: "Acme Corp", plan: "team" });
  });

  test("when the slug is taken, then exit 1 with the error object and a message on stderr", async () => {
    const res = await cli("org", "create", "--slug", "acme", "--name", "Again", "--json");
    expect(res.code).toBe(1);
    expect(res.json).toEqual({
      error: { code: "conflict", message: 'an organization with slug "acme" already exists' },
    });
    expect(res.stderr).toContain("already exists");
  });

  test("when the slug is invalid, then exit 1 naming the field", async () => {
    const res = await cli("org", "create", "--slug", "Not Valid!", "--name", "x", "--json");
    expect(res.code).toBe(1);
    expect(res.json.error.code).toBe("validation_failed");
    expect(res.json.error.message).toContain("slug");
  });

  test("when tokens, keys and the first admin are created, then each prints its contract shape", async () => {
    const scim = await cli("scim-token", "create", "--org", "acme", "--name", "okta", "--json");
    expect(scim.json).toEqual({
      id: expect.any(String),
      name: "okta",
      token: expect.stringMatching(/^scim_/),
      scimBaseUrl: "http://sso.test/scim/v2/acme",
    });
    const key = await cli("api-key", "create", "--org", "acme", "--name", "backend", "--json");
    expect(key.json).toEqual({
      id: expect.any(String),
      name: "backend",
      key: expect.stringMatching(/^sbk_/),
    });
    const admin = await cli("user", "create-admin", "--org", "acme", "--email", "it@acme.test", "--json");
    expect(admin.json).toEqual({
      userId: expect.any(String),
      email: "it@acme.test",
      invitationUrl: expect.stringMatching(/^http:\/\/sso\.test\/auth\/invitations\/[A-Za-z0-9_-]{43}$/),
    });
  });

  test("when the org does not exist, then exit 1 with not_found", async () => {
    const res = await cli("api-key", "create", "--org", "nope", "--json");
    expect(res.code).toBe(1);
    expect(res.json.error.code).toBe("not_found");
  });

  test("when migrate runs on a current database, then it applies nothing", async () => {
    const res = await cli("migrate", "--json");
    expect(res.code).toBe(0);
    expect(res.json).toEqual({ applied: [] });
  });

  test("when a required option is missing, then exit 1", async () => {
    const res = await cli("org", "create", "--slug", "x1");
    expect(res.code).toBe(1);
  });
});

describe("with the server running", () => {
  test("when the CLI runs beside the server, then both see the same data, and a restart keeps it", async () => {
    const first = await start({ ...env, PORT: "0" });
    const port = (first.server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;
    let keyValue: string;
    try {
      await request(base).get("/readyz").expect(200);
      const key = await cli("api-key", "create", "--org", "acme", "--name", "live", "--json");
      expect(key.code).toBe(0);
      keyValue = key.json.key;
      const me = await request(base).get("/api/v1/me").set("Authorization", `Bearer ${keyValue}`).expect(200);
      expect(me.body.organization.slug).toBe("acme");
    } finally {
      await first.stop("test");
    }
    const second = await start({ ...env, PORT: "0" });
    try {
      const again = `http://127.0.0.1:${(second.server.address() as AddressInfo).port}`;
      await request(again).get("/api/v1/me").set("Authorization", `Bearer ${keyValue}`).expect(200);
    } finally {
      await second.stop("test");
    }
  });

  test("when SIGTERM-style shutdown starts during a request, then the request completes and new connections are refused", async () => {
    const app = await start({ ...env, PORT: "0" });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    // Stop only once the server holds the request, so it is truly in flight.
    const arrived = new Promise((resolve) => app.server.once("request", resolve));
    const pending = request(base)
      .get("/readyz")
      .then((r) => r.status);
    await arrived;
    await app.stop("SIGTERM");
    expect(await pending).toBe(200);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
