// Standard Webhooks v1 signing (https://www.standardwebhooks.com): the `webhook-signature`
// header is "v1,<base64 HMAC-SHA256 of id.timestamp.body>" under each secret that signs now,
// space-separated, so a receiver holding either the old or the new secret accepts the message
// while a rotation is under way.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** A new signing secret, in the `whsec_<base64>` form Standard Webhooks libraries accept. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

export interface SignedHeaders {
  "content-type": "application/json";
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The headers of one message, signed with every secret in `secrets` (the current one first). */
export function signedHeaders(secrets: string[], messageId: string, at: Date, body: string): SignedHeaders {
  return {
    "content-type": "application/json",
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(messageId, at, body)).join(" "),
  };
}
