// Which IP addresses an outbound request made on an admin's say-so (OIDC discovery, a provider's
// key set and token endpoint) may reach: public ones only, unless SSO_ALLOW_PRIVATE_URLS.
// Why: otherwise an admin of one tenant could probe the service's own network (SSRF).
import { isIP } from "node:net";

type Range = readonly [bytes: number[], prefixBits: number];

const v4 = (a: string, bits: number): Range => [a.split(".").map(Number), bits];

/** Not publicly routable: private, loopback, link-local, shared (CGNAT), multicast, reserved. */
const BLOCKED_V4: Range[] = [
  v4("0.0.0.0", 8),
  v4("10.0.0.0", 8),
  v4("100.64.0.0", 10),
  v4("127.0.0.0", 8),
  v4("169.254.0.0", 16),
  v4("172.16.0.0", 12),
  v4("192.0.0.0", 24),
  v4("192.168.0.0", 16),
  v4("198.18.0.0", 15),
  v4("224.0.0.0", 3),
];

const v6 = (hex: string, bits: number): Range => [ipv6Bytes(hex)!, bits];

const BLOCKED_V6: Range[] = [
  v6("::", 128),
  v6("::1", 128),
  v6("100::", 64),
  v6("fc00::", 7),
  v6("fe80::", 10),
  v6("fec0::", 10),
  v6("ff00::", 8),
];

/** IPv6 prefixes that carry an IPv4 address in their last 32 bits (mapped, compatible, NAT64). */
const EMBEDS_V4_AT_END: Range[] = [v6("::ffff:0:0", 96), v6("::", 96), v6("64:ff9b::", 96)];
/** 6to4 (RFC 3056) carries it in bits 16..48. */
const SIX_TO_FOUR: Range = v6("2002::", 16);

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((bytes[i >> 3]! & mask) !== (prefix[i >> 3]! & mask)) return false;
  }
  return true;
}

function ipv6Bytes(address: string): number[] | null {
  let text = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  let tail: number[] = [];
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (isIP(dotted[1]!) !== 4) return null;
    tail = dotted[1]!.split(".").map(Number);
    text = `${text.slice(0, dotted.index)}:0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const bytes = all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** True when `address` (an IPv4 or IPv6 literal, brackets allowed) must not be reached. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) {
    const bytes = bare.split(".").map(Number);
    return BLOCKED_V4.some((r) => inRange(bytes, r));
  }
  if (family !== 6) return true;
  const bytes = ipv6Bytes(bare);
  if (!bytes) return true;
  if (BLOCKED_V6.some((r) => inRange(bytes, r))) return true;
  if (EMBEDS_V4_AT_END.some((r) => inRange(bytes, r))) return isNonPublicAddress(bytes.slice(12).join("."));
  if (inRange(bytes, SIX_TO_FOUR)) return isNonPublicAddress(bytes.slice(2, 6).join("."));
  return false;
}
