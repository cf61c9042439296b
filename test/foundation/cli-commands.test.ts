// Issue 13 item 11: the CLI lists and revokes what it creates, tells its version, answers usage
// errors in the format asked for (one JSON object under --json), and its help describes every
// option and the environment it reads. A server runs beside the CLI, as in production.
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import request from "supertest";
import { start } from "../../src/main";
import { createCliEnv, type CliEnv } from "../support/cli";
import { buildProgram } from "../../src/cli/program";

let harness: CliEnv;
let server: Awaited<ReturnType<typeof start>>;
let base: string;
const cli = (...args: string[]) => harness.cli(...args);

beforeAll(async () => {
  harness = await createCliEnv("sso-cli-lists-");
  server = await start({ ...harness.env, PORT: "0" });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  expect((await cli("org", "create", "--slug", "acme", "--name", "Acme Corp", "--json")).code).toBe(0);
  expect((await cli("org", "create", "--slug", "globex", "--name", "Globex", "--plan", "team")).code).toBe(0);
});
afterAll(async () => {
  await server?.stop("test");
  await harness.dispose();
});

test("when `sso-bridge --version` runs, then it prints the package's version and exits 0", async () => {
  const res = await cli("--version");
  expect(res.code).toBe(0);
  const pkg = JSON.parse(readFileSync(`${__dirname}/../../package.json`, "utf8")) as { version: string };
  expect(res.stdout.trim()).toBe(pkg.version);
});

test("when `org list --json` runs, then it prints {data} with every organization", async () => {
  const res = await cli("org", "list", "--json");
  expect(res.code).toBe(0);
  expect(res.stdout.trim().split("\n")).toHaveLength(1);
  expect(res.json).toEqual({
    data: [
      {
        id: expect.any(String),
        slug: "acme",
        name: "Acme Corp",
        plan: "free",
        createdAt: expect.any(String),
      },
      { id: expect.any(String), slug: "globex", name: "Globex", plan: "team", createdAt: expect.any(String) },
    ],
  });
});

describe.each([
  ["scim-token", "token"],
  ["api-key", "key"],
])("`%s list|revoke`", (noun, valueField) => {
  test("when one is listed and revoked, then the list never shows values, and revoke prints the revoked object", async () => {
    const created = await cli(noun, "create", "--org", "acme", "--name", "to-revoke", "--json");
    expect(created.code).toBe(0);
    const listed = await cli(noun, "list", "--org", "acme", "--json");
    expect(listed.code).toBe(0);
    const row = listed.json.data.find((c: { id: string }) => c.id === created.json.id);
    expect(row).toEqual({
      id: created.json.id,
      name: "to-revoke",
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(listed.stdout).not.toContain(created.json[valueField]);
    // Another organization's list does not show it.
    const other = await cli(noun, "list", "--org", "globex", "--json");
    expect(other.json).toEqual({ data: [] });

    const revoked = await cli(noun, "revoke", "--org", "acme", "--id", created.json.id, "--json");
    expect(revoked.code).toBe(0);
    expect(revoked.json).toEqual({ ...row, revokedAt: expect.any(String) });
    const after = await cli(noun, "list", "--org", "acme", "--json");
    expect(after.json.data.find((c: { id: string }) => c.id === created.json.id).revokedAt).toBe(
      revoked.json.revokedAt,
    );
  });

  test("when the id is another organization's or not an id, then exit 1 with not_found or validation_failed", async () => {
    const created = await cli(noun, "create", "--org", "acme", "--json");
    const crossed = await cli(noun, "revoke", "--org", "globex", "--id", created.json.id, "--json");
    expect(crossed.code).toBe(1);
    expect(crossed.json.error.code).toBe("not_found");
    const bad = await cli(noun, "revoke", "--org", "acme", "--id", "nope", "--json");
    expect(bad.code).toBe(1);
    expect(bad.json.error.code).toBe("validation_failed");
  });
});

test("when an API key is revoked by the CLI, then the server refuses it", async () => {
  const key = await cli("api-key", "create", "--org", "acme", "--json");
  await request(base).get("/api/v1/me").set("Authorization", `Bearer ${key.json.key}`).expect(200);
  expect((await cli("api-key", "revoke", "--org", "acme", "--id", key.json.id, "--json")).code).toBe(0);
  await request(base).get("/api/v1/me").set("Authorization", `Bearer ${key.json.key}`).expect(401);
});

test("when `user list --org --json` runs, then it prints {data} with the organization's users", async () => {
  const admin = await cli("user", "create-admin", "--org", "acme", "--email", "it@acme.test", "--json");
  const res = await cli("user", "list", "--org", "acme", "--json");
  expect(res.code).toBe(0);
  expect(res.json.data).toEqual([
    expect.objectContaining({
      id: admin.json.userId,
      email: "it@acme.test",
      status: "invited",
      role: "Admin",
    }),
  ]);
  expect((await cli("user", "list", "--org", "globex", "--json")).json).toEqual({ data: [] });
  expect((await cli("user", "list", "--org", "acme", "--status", "active", "--json")).json).toEqual({
    data: [],
  });
  const text = await cli("user", "list", "--org", "acme");
  expect(text.stdout).toMatch(/^id\temail\tstatus\trole\tprovisionedBy\n/);
  expect(text.stdout).toContain(`${admin.json.userId}\tit@acme.test\tinvited\tAdmin`);
});

describe("usage errors under --json", () => {
  test.each([
    ["a missing option", ["org", "create", "--slug", "x1", "--json"], /--name/],
    ["an unknown command", ["nope", "--json"], /unknown command 'nope'/],
    ["an unknown option", ["org", "list", "--bogus", "--json"], /unknown option '--bogus'/],
    ["a missing subcommand", ["scim-token", "--json"], /.+/],
  ])("when %s, then exit 1 with the JSON error on stdout", async (_what, args, message) => {
    const res = await cli(...args);
    expect(res.code).toBe(1);
    expect(res.stdout.trim().split("\n")).toHaveLength(1);
    expect(res.json).toEqual({ error: { code: "bad_request", message: expect.stringMatching(message) } });
    expect(res.stderr).toMatch(/^sso-bridge: /);
  });

  test("when a usage error happens without --json, then stdout stays empty", async () => {
    const res = await cli("org", "create", "--slug", "x1");
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain("--name");
  });
});

describe("help", () => {
  const leaves = (cmd: Command): Command[] => (cmd.commands.length ? cmd.commands.flatMap(leaves) : [cmd]);
  const program = buildProgram(async () => undefined);

  test("when any command's help is read, then every option and command has a description", () => {
    const all = leaves(program).filter((c) => c.name() !== "help");
    expect(all.map((c) => c.name())).toEqual(
      expect.arrayContaining(["create", "list", "revoke", "recover", "migrate"]),
    );
    for (const cmd of all) {
      expect(cmd.description()).not.toBe("");
      for (const option of cmd.options)
        expect({ cmd: cmd.name(), flags: option.flags, description: option.description }).toEqual(
          expect.objectContaining({ description: expect.stringMatching(/\S/) }),
        );
    }
  });

  test("when `--help` runs, then it exits 0 and names the environment the CLI reads and how to run it in production", async () => {
    const res = await cli("--help");
    expect(res.code).toBe(0);
    for (const name of ["DATABASE_URL", "DATA_DIR", "SECRET_KEY", "BASE_URL", "LOG_LEVEL"])
      expect(res.stdout).toContain(name);
    expect(res.stdout).toContain("docker exec");
    const sub = await cli("scim-token", "create", "--help");
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("DATABASE_URL");
    expect(sub.stdout).toContain("--org <slug>");
  });
});
