// Where an admin may send webhooks: an http(s) URL without credentials, https in production,
// and (unless WEBHOOK_ALLOW_PRIVATE_URLS=true) a host whose addresses are all public. Why: the
// bridge would otherwise post tenant data wherever an admin points it, including the service's
// own network (SSRF). The check is repeated inside each delivery's connection (guarded fetch),
// so a DNS answer that changes later is refused too.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "../shared/errors";
import { isNonPublicAddress } from "../shared/private-address";

export const PRIVATE_URLS_SETTING = "WEBHOOK_ALLOW_PRIVATE_URLS";

export interface DestinationRules {
  production: boolean;
  allowPrivate: boolean;
}

const refuse = (message: string) =>
  new AppError("validation_failed", `url: ${message}`, { errors: [{ field: "url", message }] });

async function addressesOf(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return [bare];
  try {
    return (await lookup(bare, { all: true })).map((a) => a.address);
  } catch {
    // An unknown name is not refused: it may exist later; the delivery then records the failure.
    return [];
  }
}

/** Throws a 400 naming the rule when `raw` may not receive webhooks; returns the normalised URL. */
export async function checkDestination(raw: string, rules: DestinationRules): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("is not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("must be an http(s) URL");
  if (rules.production && url.protocol !== "https:") throw refuse("must be an https URL in production");
  if (url.username || url.password) throw refuse("must not carry a user name or password");
  if (!rules.allowPrivate) {
    const addresses = await addressesOf(url.hostname);
    if (addresses.some((a) => isNonPublicAddress(a))) {
      throw refuse(
        `${url.hostname} is a private, loopback or link-local address; such addresses are refused unless the server runs with ${PRIVATE_URLS_SETTING}=true`,
      );
    }
  }
  return url.toString();
}
