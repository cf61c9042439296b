import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/config";
import { ensureSecretKey } from "../../src/config/secret-key";
import { tempDir } from "../support/temp-dir";

describe("loadConfig", () => {
  test("when nothing is set, then the documented defaults apply", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: "development",
      port: 3000,
      baseUrl: "http://localhost:3000",
      logLevel: "info",
      secureCookies: false,
    });
    expect(c.dataDir).toBe(path.resolve("./data"));
    expect(c.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
    expect(c).toMatchObject({ dbPoolSize: 10, dbConnectTimeoutMs: 5_000, dbQueueLimit: 200 });
    expect(c.redisUrl).toBeUndefined();
    expect(c.rateLimit).toEqual({
      windowSeconds: 60,
      scimPerToken: 120_000,
      signInPerIp: 1_200,
      keyPrefix: "sso-bridge",
    });
  });

  test.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ BASE_URL: "ftp://x" }, "BASE_URL"],
    [{ DATABASE_URL: "mysql://x/y" }, "DATABASE_URL"],
    [{ SECRET_KEY: "short" }, "SECRET_KEY"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ SMTP_URL: "http://mail" }, "SMTP_URL"],
    [{ NODE_ENV: "staging" }, "NODE_ENV"],
    [{ HOST: "not a host!" }, "HOST"],
    [{ HOST: "http://0.0.0.0" }, "HOST"],
    [{ REDIS_URL: "http://cache:6379" }, "REDIS_URL"],
    [{ DB_POOL_SIZE: "0" }, "DB_POOL_SIZE"],
    [{ RATE_LIMIT_SCIM_PER_TOKEN: "-1" }, "RATE_LIMIT_SCIM_PER_TOKEN"],
    [{ RATE_LIMIT_KEY_PREFIX: "has space" }, "RATE_LIMIT_KEY_PREFIX"],
  ])("when %j is given, then one line names %s", (env, name) => {
    expect.assertions(3);
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain(name);
      expect((e as Error).message).not.toContain("\n");
    }
  });

  test("when HOST is an IP address or a host name, then it is the listen address; unset, every interface", () => {
    expect(loadConfig({ HOST: "127.0.0.1" }).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "::" }).host).toBe("::");
    expect(loadConfig({ HOST: "localhost" }).host).toBe("localhost");
    expect(loadConfig({}).host).toBeUndefined();
  });

  test("when several variables are bad, then the one line names each of them", () => {
    expect(() => loadConfig({ PORT: "x", LOG_LEVEL: "y" })).toThrow(/PORT.*LOG_LEVEL|LOG_LEVEL.*PORT/);
  });

  test("when NODE_ENV is production without SECRET_KEY, then start-up is refused", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SECRET_KEY is required/);
  });

  test("when BASE_URL is https, then cookies are Secure and the trailing slash is dropped", () => {
    const c = loadConfig({ BASE_URL: "https://sso.acme.test/" });
    expect(c.baseUrl).toBe("https://sso.acme.test");
    expect(c.secureCookies).toBe(true);
  });

  test("when a variable is set to an empty string, then it counts as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).port).toBe(3000);
  });
});

describe("ensureSecretKey", () => {
  test("when SECRET_KEY is absent outside production, then one is generated into DATA_DIR (0600) with a warning and reused", () => {
    const dir = tempDir("sso-key-");
    const warnings: string[] = [];
    const first = ensureSecretKey(loadConfig({ DATA_DIR: dir }), (m) => warnings.push(m));
    const file = path.join(dir, "secret.key");
    expect(first.secretKey.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, "utf8").trim()).toBe(first.secretKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    const second = ensureSecretKey(loadConfig({ DATA_DIR: dir }), (m) => warnings.push(m));
    expect(second.secretKey).toBe(first.secretKey);
    expect(warnings).toHaveLength(1);
  });

  test("when SECRET_KEY is set, then it is used and nothing is written", () => {
    const dir = path.join(os.tmpdir(), "sso-key-never-created");
    const c = ensureSecretKey(loadConfig({ DATA_DIR: dir, SECRET_KEY: "k".repeat(40) }), () => {
      throw new Error("no warning expected");
    });
    expect(c.secretKey).toBe("k".repeat(40));
  });
});
