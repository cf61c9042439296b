// A fetch for requests whose URL an admin chose (OIDC discovery, key sets, token endpoints):
// the host's addresses are checked before any connection, inside the connection's own name
// lookup (so a DNS answer cannot change between check and connect), and every network failure
// becomes one NetworkError whose message says nothing about what answered (not a port scanner).
import http from "node:http";
import https from "node:https";
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP } from "node:net";
import { isNonPublicAddress } from "./private-address";

const MAX_BODY_BYTES = 1_000_000;
const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

/** The host resolves to an address that the setting (SSO_ or WEBHOOK_ALLOW_PRIVATE_URLS) does not allow. */
export class AddressRefused extends Error {
  override name = "AddressRefused";
  constructor(
    readonly host: string,
    setting = "SSO_ALLOW_PRIVATE_URLS",
  ) {
    super(
      `${host} is a private, loopback or link-local address; such addresses are refused unless the server runs with ${setting}=true`,
    );
  }
}

/** Any failure to exchange a request and a response: one message whatever the cause. */
export class NetworkError extends Error {
  override name = "NetworkError";
  constructor(readonly host: string) {
    super(`could not get an answer from ${host}`);
  }
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

export type GuardedFetch = (url: string, init?: FetchInit) => Promise<Response>;

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

const guardedLookup =
  (setting: string | undefined) =>
  (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0 || addresses.some((a) => isNonPublicAddress(a.address))) {
        return callback(new AddressRefused(hostname, setting), []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

function bodyOf(body: unknown): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === "string" || body instanceof URLSearchParams) return Buffer.from(String(body));
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError("unsupported request body");
}

/**
 * A fetch that refuses non-public addresses unless `allowPrivate` (`setting` names the variable
 * that allows them, for the refusal's message). It never follows a redirect.
 */
export function createGuardedFetch(options: { allowPrivate: boolean; setting?: string }): GuardedFetch {
  return (target, init = {}) => {
    const url = new URL(target);
    const host = url.hostname;
    // Node's socket skips the lookup for an IP literal: check it here, before anything is sent.
    if (!options.allowPrivate && isIP(host.replace(/^\[|\]$/g, "")) && isNonPublicAddress(host)) {
      return Promise.reject(new AddressRefused(host, options.setting));
    }
    const payload = bodyOf(init.body);
    const transport = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
    if (!transport) return Promise.reject(new NetworkError(host));
    return new Promise<Response>((resolve, reject) => {
      const fail = (e: unknown) => reject(e instanceof AddressRefused ? e : new NetworkError(host));
      const req = transport.request(
        url,
        {
          method: init.method ?? "GET",
          headers: { ...init.headers, ...(payload ? { "content-length": String(payload.length) } : {}) },
          agent: false,
          signal: init.signal,
          ...(options.allowPrivate ? {} : { lookup: guardedLookup(options.setting) }),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY_BYTES) res.destroy(new Error("response too large"));
            else chunks.push(chunk);
          });
          res.on("error", fail);
          res.on("end", () => {
            const headers = new Headers();
            for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
              headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
            }
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 599) return fail(new Error("unexpected status"));
            const body = NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks);
            resolve(new Response(body, { status, statusText: res.statusMessage ?? "", headers }));
          });
        },
      );
      req.on("error", fail);
      req.end(payload ?? undefined);
    });
  };
}
