// The per-connection discovery cache against a real provider: one discovery per TTL, a new
// one when the connection changes or its key set stopped explaining its tokens.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { discover } from "../../../src/sso/oidc/discovery";
import { createProviderCache } from "../../../src/sso/oidc/provider-cache";
import type { OidcConnection } from "../../../src/sso/oidc/settings";
import { startTestOp, type TestOp } from "../../support/oidc-provider";

/** The test provider listens on 127.0.0.1 (SSO_ALLOW_PRIVATE_URLS=true in a deployment). */
const LOOPBACK_ALLOWED = { allowPrivate: true };

let op: TestOp;
let conn: OidcConnection;
beforeAll(async () => {
  op = await startTestOp({ redirectUris: ["http://sso.test/sso/acme/oidc/callback"] });
  conn = {
    id: "7d1d3f4e-5b1a-4c2e-9a55-000000000001",
    updatedAt: new Date("2026-01-01T00:00:00Z"),
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    scopes: "openid",
    groupsClaim: "groups",
  };
});
afterAll(() => op.close());

/** A provider's discovery document served on loopback, with its own URL as issuer. */
async function withDiscoveryDocument(
  fields: Record<string, unknown>,
  run: (issuer: string) => Promise<void>,
) {
  let issuer = "";
  const server = http.createServer((_req, res) => {
    const doc = {
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      ...fields,
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await run(issuer);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe("OIDC provider cache and discovery", () => {
  test("when sign-ins follow each other within the TTL, then discovery runs once; after the TTL, again", async () => {
    let now = Date.parse("2026-06-01T00:00:00Z");
    const cache = createProviderCache({
      clock: () => new Date(now),
      ttlMs: 60_000,
      network: LOOPBACK_ALLOWED,
    });
    const before = op.discoveryFetches();
    const first = await cache.handle(conn);
    await cache.handle(conn);
    expect(op.discoveryFetches()).toBe(before + 1);
    expect(first.metadata.issuer).toBe(op.issuer);

    now += 60_001;
    await cache.handle(conn);
    expect(op.discoveryFetches()).toBe(before + 2);
  });

  test("when the connection is changed or forgotten, then discovery runs again", async () => {
    const cache = createProviderCache({ clock: () => new Date(), network: LOOPBACK_ALLOWED });
    const before = op.discoveryFetches();
    await cache.handle(conn);
    await cache.handle({ ...conn, updatedAt: new Date("2026-02-01T00:00:00Z") });
    expect(op.discoveryFetches()).toBe(before + 2);
    cache.forget(conn.id);
    await cache.handle({ ...conn, updatedAt: new Date("2026-02-01T00:00:00Z") });
    expect(op.discoveryFetches()).toBe(before + 3);
  });

  test.each([
    [["RS256", "HS256", "none"], ["RS256"]],
    [undefined, ["RS256"]],
    [
      ["ES256", "PS256"],
      ["ES256", "PS256"],
    ],
  ])(
    "when a provider advertises ID token algorithms %j, then only the asymmetric ones are kept: %j",
    async (advertised, kept) => {
      await withDiscoveryDocument({ id_token_signing_alg_values_supported: advertised }, async (issuer) => {
        expect((await discover(issuer, LOOPBACK_ALLOWED)).id_token_signing_alg_values_supported).toEqual(
          kept,
        );
      });
    },
  );

  test("when a provider signs ID tokens only with HS256 or none, then it is refused", async () => {
    await withDiscoveryDocument(
      { id_token_signing_alg_values_supported: ["HS256", "none"] },
      async (issuer) => {
        await expect(discover(issuer, LOOPBACK_ALLOWED)).rejects.toThrow(/asymmetric algorithm/);
      },
    );
  });

  test("when the provider cannot be reached, then the sign-in gets a 503 naming the reason", async () => {
    const cache = createProviderCache({ clock: () => new Date(), network: LOOPBACK_ALLOWED });
    await expect(cache.handle({ ...conn, id: "other", issuer: "http://127.0.0.1:1" })).rejects.toMatchObject({
      status: 503,
      extra: { reason: "idp_unreachable" },
    });
  });
});
