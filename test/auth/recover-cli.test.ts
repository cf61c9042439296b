// The quickstart and break-glass story end to end through the real CLI and a running server:
// create an org and its first Admin, accept the printed link, enforce SSO, then get back in
// with `sso-bridge recover`.
import type { AddressInfo } from "node:net";
import request from "supertest";
import { start } from "../../src/main";
import { createCliEnv, type CliEnv } from "../support/cli";
import { openForm } from "../support/forms";

let harness: CliEnv;
let env: Record<string, string>;
const cli = (...args: string[]) => harness.cli(...args);

beforeAll(async () => {
  harness = await createCliEnv("sso-recover-");
  env = harness.env;
});
afterAll(() => harness.dispose());

test("when SSO is enforced and `sso-bridge recover --json` runs beside the server, then its link signs the Admin in once", async () => {
  expect((await cli("org", "create", "--slug", "acme", "--name", "Acme Corp", "--json")).code).toBe(0);
  const admin = await cli("user", "create-admin", "--org", "acme", "--email", "it@acme.test", "--json");
  expect(admin.code).toBe(0);
  const app = await start({ ...env, PORT: "0" });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    await request(base)
      .post(`${new URL(admin.json.invitationUrl).pathname}/accept`)
      .send({ password: "a long enough password" })
      .expect(200);
    const org = await app.services.orgs.getBySlug("acme");
    await app.services.db.prisma.ssoConnection.create({
      data: { orgId: org.id, protocol: "oidc", enabled: true },
    });
    const refused = await request(base)
      .post("/auth/login")
      .send({ org: "acme", email: "it@acme.test", password: "a long enough password" })
      .expect(409);
    expect(refused.body.code).toBe("sso_enforced");

    const recovered = await cli("recover", "--org", "acme", "--email", "it@acme.test", "--json");
    expect(recovered.code).toBe(0);
    expect(Object.keys(recovered.json).sort()).toEqual(["expiresAt", "url"]);
    const link = new URL(recovered.json.url).pathname;
    const form = await openForm(base, link);
    const res = await request(base)
      .post(link)
      .set("Cookie", form.cookie)
      .type("form")
      .send({ _csrf: form.token })
      .expect(303);
    const cookie = res.headers["set-cookie"]![0]!.split(";")[0]!;
    const me = await request(base).get("/api/v1/me").set("Cookie", cookie).expect(200);
    expect(me.body.user.email).toBe("it@acme.test");
    await request(base).post(link).expect(410);

    const unknown = await cli("recover", "--org", "acme", "--email", "nobody@acme.test", "--json");
    expect(unknown.code).toBe(1);
    expect(unknown.json.error.code).toBe("not_found");
  } finally {
    await app.stop("test");
  }
});
