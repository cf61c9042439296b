// Issue 13 item 10: the CLI acts on the server's database and prints the server's public URLs.
// It never creates a database of its own because it was started in another directory or
// without DATABASE_URL, and scimBaseUrl, invitationUrl and the recovery link come from the
// BASE_URL the server recorded, not from the CLI's own environment.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { start } from "../../src/main";
import { createCliEnv, runCli, type CliEnv } from "../support/cli";
import { TEST_SECRET_KEY } from "../support/app";
import { tempDir } from "../support/temp-dir";

const NO_DATABASE =
  /^sso-bridge: no database at .+: set DATA_DIR to the server's data directory, or DATABASE_URL/;

describe("when the CLI runs without the server's DATA_DIR", () => {
  const embeddedEnv = (dataDir: string) => ({
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: "error",
    DATA_DIR: dataDir,
  });

  test("when DATA_DIR does not exist, then it refuses with one line naming what to set and creates nothing", async () => {
    const dataDir = path.join(tempDir("sso-nodb-"), "data");
    const res = await runCli(["api-key", "create", "--org", "acme", "--json"], embeddedEnv(dataDir));
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(NO_DATABASE);
    expect(res.stderr).toContain(dataDir);
    expect(res.json.error.code).toBe("no_database");
    expect(existsSync(dataDir)).toBe(false);
  });

  test("when DATA_DIR exists but holds no database, then it refuses and writes nothing into it", async () => {
    const dataDir = tempDir("sso-nodb-");
    const res = await runCli(["org", "create", "--slug", "acme", "--name", "Acme"], embeddedEnv(dataDir));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(NO_DATABASE);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

describe("when the database the CLI is given holds no sso-bridge tables (DATA_DIR or DATABASE_URL)", () => {
  let harness: CliEnv;
  beforeAll(async () => (harness = await createCliEnv("sso-cli-empty-", { migrated: false })));
  afterAll(() => harness.dispose());

  test("then commands refuse with no_database, and `migrate` is the explicit way to create it", async () => {
    const refused = await harness.cli("org", "create", "--slug", "acme", "--name", "Acme", "--json");
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe("no_database");
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);

    const migrated = await harness.cli("migrate", "--json");
    expect(migrated.code).toBe(0);
    expect(migrated.json.applied.length).toBeGreaterThan(0);
    const created = await harness.cli("org", "create", "--slug", "acme", "--name", "Acme", "--json");
    expect(created.code).toBe(0);
  });
});

describe("public URLs", () => {
  let harness: CliEnv;
  beforeAll(async () => (harness = await createCliEnv("sso-cli-urls-")));
  afterAll(() => harness.dispose());

  test("when no server ever ran on the database, then the CLI's own BASE_URL is used and it says so on stderr", async () => {
    expect((await harness.cli("org", "create", "--slug", "early", "--name", "Early")).code).toBe(0);
    const res = await harness.cli("scim-token", "create", "--org", "early", "--json");
    expect(res.code).toBe(0);
    expect(res.json.scimBaseUrl).toBe("http://sso.test/scim/v2/early");
    expect(res.stderr).toMatch(/no server has run on this database yet.*BASE_URL/);
  });

  test("when the server ran with its BASE_URL, then scimBaseUrl, invitationUrl and the recovery link use it, not the CLI's", async () => {
    const serverEnv = { ...harness.env, BASE_URL: "https://sso.example.com", PORT: "0" };
    const cliEnv: Record<string, string> = { ...harness.env, BASE_URL: "http://localhost:3000" };
    const cli = (...args: string[]) => runCli(args, cliEnv);
    const { BASE_URL: _unset, ...noBaseUrl } = harness.env;

    const server = await start(serverEnv);
    let userId: string;
    try {
      expect((await cli("org", "create", "--slug", "acme", "--name", "Acme", "--json")).code).toBe(0);
      const token = await cli("scim-token", "create", "--org", "acme", "--json");
      expect(token.json.scimBaseUrl).toBe("https://sso.example.com/scim/v2/acme");
      const admin = await cli("user", "create-admin", "--org", "acme", "--email", "it@acme.test", "--json");
      expect(admin.json.invitationUrl).toMatch(/^https:\/\/sso\.example\.com\/auth\/invitations\//);
      userId = admin.json.userId;
      // An active Admin, so that `recover` has someone to issue a link for.
      await server.services.db.prisma.user.update({ where: { id: userId }, data: { status: "active" } });
    } finally {
      await server.stop("test");
    }

    // The server is gone: the CLI opens the database itself and still prints the server's URLs.
    for (const env of [cliEnv, noBaseUrl]) {
      const token = await runCli(["scim-token", "create", "--org", "acme", "--json"], env);
      expect(token.code).toBe(0);
      expect(token.json.scimBaseUrl).toBe("https://sso.example.com/scim/v2/acme");
      expect(token.stderr).not.toMatch(/no server has run/);
    }
    const second = await cli("user", "create-admin", "--org", "acme", "--email", "it2@acme.test", "--json");
    expect(second.json.invitationUrl).toMatch(/^https:\/\/sso\.example\.com\/auth\/invitations\//);
    const recovered = await cli("recover", "--org", "acme", "--email", "it@acme.test", "--json");
    expect(recovered.code).toBe(0);
    expect(recovered.json.url).toMatch(/^https:\/\/sso\.example\.com\/auth\/recover\//);
  });
});
