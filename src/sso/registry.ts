// The SSO protocols this build supports, one line each. src/services.ts builds the registry once
// per app, so that each protocol's caches (OIDC discovery, for one) are shared by every caller.
import { AppError } from "../shared/errors";
import type { SsoDeps } from "./deps";
import type { SsoProtocol, SsoProtocolFactory, SsoProtocolName } from "./protocol";
import { createOidcProtocol } from "./oidc/protocol";
import { createSamlProtocol } from "./saml/protocol";

const FACTORIES: Partial<Record<SsoProtocolName, SsoProtocolFactory>> = {
  oidc: createOidcProtocol,
  saml: createSamlProtocol,
};

export type ProtocolRegistry = ReadonlyMap<SsoProtocolName, SsoProtocol>;

export function createProtocolRegistry(deps: SsoDeps): ProtocolRegistry {
  return new Map(
    Object.entries(FACTORIES).map(([name, factory]) => [name as SsoProtocolName, factory(deps)]),
  );
}

/** The protocol named, or a 400 naming the `protocol` field. */
export function protocolOf(registry: ProtocolRegistry, name: unknown): SsoProtocol {
  const protocol = typeof name === "string" ? registry.get(name as SsoProtocolName) : undefined;
  if (!protocol) {
    const known = [...registry.keys()].join(", ");
    throw new AppError("validation_failed", `protocol: must be one of ${known}`, {
      errors: [{ field: "protocol", message: `must be one of ${known}` }],
    });
  }
  return protocol;
}
