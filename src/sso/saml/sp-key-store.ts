// The one place an organization's SAML service provider key pair is read: made on first need
// (SP metadata is served before any connection exists), stored in
// saml_sp_keys with the private key encrypted, and the same pair from then on, whatever
// happens to the connection. Connections made before this table carried their pair in their own
// config and secrets: the first need adopts it, so the IdP's copy of our certificate stays valid.
import type { Organization } from "../../generated/prisma/client";
import type { SsoDeps } from "../deps";
import { loadConnection } from "../connection-store";
import { generateSpKeyPair, type SpKeyPair } from "./sp-keys";

export type SpKeyDeps = Pick<SsoDeps, "db" | "cipher" | "clock">;

async function legacyPair(deps: SpKeyDeps, orgId: string): Promise<SpKeyPair | null> {
  const connection = await loadConnection(deps.db.prisma, deps.cipher, orgId);
  const certificatePem = connection?.protocol === "saml" ? connection.config.spCertificate : undefined;
  const privateKeyPem = connection?.secrets.spPrivateKey;
  return typeof certificatePem === "string" && privateKeyPem ? { certificatePem, privateKeyPem } : null;
}

/** First needs in flight in this process, by organization: one key generation each. */
const making = new Map<string, Promise<SpKeyPair>>();

/**
 * Pairs this process has read, decrypted, by organization (a read and a decryption saved on every
 * ACS request). Why no invalidation is needed: a stored pair is never updated, and its row goes
 * only with its organization, whose id is never reused. Oldest first out, past MAX_KNOWN.
 */
const known = new Map<string, SpKeyPair>();
const MAX_KNOWN = 1_000;

export async function spKeysOf(deps: SpKeyDeps, org: Pick<Organization, "id" | "slug">): Promise<SpKeyPair> {
  const cached = known.get(org.id);
  if (cached) return cached;
  const pending = making.get(org.id);
  if (pending) return pending;
  const work = readOrMake(deps, org)
    .then((pair) => {
      if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
      known.set(org.id, pair);
      return pair;
    })
    .finally(() => making.delete(org.id));
  making.set(org.id, work);
  return work;
}

async function readOrMake(deps: SpKeyDeps, org: Pick<Organization, "id" | "slug">): Promise<SpKeyPair> {
  const read = async () => {
    const row = await deps.db.prisma.samlSpKey.findUnique({ where: { orgId: org.id } });
    return row
      ? { certificatePem: row.certificate, privateKeyPem: deps.cipher.decrypt(row.privateKey) }
      : null;
  };
  const stored = await read();
  if (stored) return stored;
  const pair =
    (await legacyPair(deps, org.id)) ?? (await generateSpKeyPair(`sso-bridge ${org.slug}`, deps.clock()));
  // Two instances may both make a pair at once: the first insert wins and both answer it.
  await deps.db.prisma.samlSpKey.createMany({
    data: [
      {
        orgId: org.id,
        certificate: pair.certificatePem,
        privateKey: deps.cipher.encrypt(pair.privateKeyPem),
      },
    ],
    skipDuplicates: true,
  });
  return (await read())!;
}
