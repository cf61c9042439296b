import { Writable } from "node:stream";
import { createLogger } from "../../src/shared/logger";
import { runWithRequestContext } from "../../src/shared/request-context";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: createLogger("debug", { stream }) };
}

describe("logger", () => {
  test("when a line carries secrets under known keys at any depth, then they are redacted", () => {
    const { lines, logger } = capture();
    logger.info("sign-in", {
      headers: { authorization: "Bearer sbk_live_secret", Cookie: "sso_bridge_session=abc.def" },
      body: { SAMLResponse: "PHNhbWxwOlJlc3BvbnNl", password: "hunter2", nested: [{ token: "t0k3n" }] },
      code: "oidc-auth-code",
      clientSecret: "cs",
      email: "it@acme.test",
    });
    const text = lines.join("");
    for (const secret of [
      "sbk_live_secret",
      "abc.def",
      "PHNhbWxwOlJlc3BvbnNl",
      "hunter2",
      "t0k3n",
      "oidc-auth-code",
      '"cs"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("it@acme.test");
    expect(JSON.parse(text).body.password).toBe("[redacted]");
  });

  test("when a line is written inside a request context, then it carries that request id", () => {
    const { lines, logger } = capture();
    runWithRequestContext({ requestId: "req-12345678" }, () => logger.info("inside"));
    logger.info("outside");
    expect(JSON.parse(lines[0] as string).requestId).toBe("req-12345678");
    expect(JSON.parse(lines[1] as string).requestId).toBeUndefined();
  });
});
