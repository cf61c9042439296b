// The SSO protocols this build supports, one line each. A protocol's factory runs once per
// app (memoized per Services object) so that its caches (OIDC discovery, for one) are shared.
import type { Services } from "../services";
import { AppError } from "../shared/errors";
import type { SsoProtocol, SsoProtocolFactory, SsoProtocolName } from "./protocol";
import { createOidcProtocol } from "./oidc/protocol";
import { createSamlProtocol } from "./saml/protocol";

const FACTORIES: Partial<Record<SsoProtocolName, SsoProtocolFactory>> = {
  oidc: createOidcProtocol,
  saml: createSamlProtocol,
};

export type ProtocolRegistry = ReadonlyMap<SsoProtocolName, SsoProtocol>;

const built = new WeakMap<Services, ProtocolRegistry>();

export function protocolsOf(services: Services): ProtocolRegistry {
  let registry = built.get(services);
  if (!registry) {
    registry = new Map(
      Object.entries(FACTORIES).map(([name, factory]) => [name as SsoProtocolName, factory(services)]),
    );
    built.set(services, registry);
  }
  return registry;
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
