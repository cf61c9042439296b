// openid-client's errors during the code exchange and ID token validation, as refusal reason
// codes the sign-in page and the audit log show. The messages are ours: nothing from the
// provider's answer (tokens, claims) is echoed to the browser or logged.
import { RefusedSignIn } from "../refusal";

interface CodedError {
  code?: string;
  message?: string;
  error?: string;
  cause?: { code?: string; message?: string; error?: string; cause?: { claim?: string; reason?: string } };
}

const CLAIM_REASONS: Record<string, [string, string]> = {
  nonce: ["nonce_mismatch", "The ID token does not belong to this sign-in (nonce mismatch)."],
  aud: ["audience_mismatch", "The ID token was issued for another application (audience mismatch)."],
  azp: ["audience_mismatch", "The ID token was issued for another application (authorized party mismatch)."],
  iss: ["issuer_mismatch", "The ID token comes from another identity provider (issuer mismatch)."],
  exp: ["token_expired", "The ID token has expired."],
  iat: ["token_not_yet_valid", "The ID token is not valid yet (issued in the future)."],
  nbf: ["token_not_yet_valid", "The ID token is not valid yet."],
};

/** The refusal for an error thrown by authorizationCodeGrant, or null when it is not a protocol error. */
export function refusalOfGrantError(e: unknown): RefusedSignIn | null {
  const err = e as CodedError;
  const code = err?.code ?? err?.cause?.code;
  const claim = err?.cause?.cause?.claim;
  const refuse = (reason: string, message: string) =>
    new RefusedSignIn(reason, message, 401, { error: code ?? "unknown" });
  switch (code) {
    case "OAUTH_JWT_CLAIM_COMPARISON_FAILED":
    case "OAUTH_JWT_TIMESTAMP_CHECK_FAILED": {
      const [reason, message] = CLAIM_REASONS[claim ?? ""] ?? [
        "id_token_invalid",
        "The ID token is not valid.",
      ];
      return refuse(reason, message);
    }
    case "OAUTH_KEY_SELECTION_FAILED":
      return refuse(
        "unknown_signing_key",
        "The ID token is signed with a key your identity provider does not publish.",
      );
    case "OAUTH_RESPONSE_BODY_ERROR":
      return refuse(
        "code_rejected",
        "Your identity provider refused to exchange the sign-in code (used already, expired, or not for this application).",
      );
    case "OAUTH_AUTHORIZATION_RESPONSE_ERROR":
      return refuse("idp_error", "Your identity provider refused the sign-in.");
    case "OAUTH_UNSUPPORTED_OPERATION":
      return refuse(
        "algorithm_not_allowed",
        "The ID token is signed with an algorithm that is not accepted.",
      );
    case "OAUTH_INVALID_RESPONSE":
    case "OAUTH_RESPONSE_IS_NOT_CONFORM":
    case "OAUTH_RESPONSE_IS_NOT_JSON":
    case "OAUTH_PARSE_ERROR":
    case "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED":
      return refuseInvalid(err, refuse);
    default:
      return null;
  }
}

function refuseInvalid(
  err: CodedError,
  refuse: (reason: string, message: string) => RefusedSignIn,
): RefusedSignIn {
  const text = `${err.message ?? ""} ${err.cause?.message ?? ""}`;
  if (/signature verification failed/i.test(text)) {
    return refuse(
      "signature_invalid",
      "The ID token's signature does not verify with your identity provider's keys.",
    );
  }
  if (/"alg"/.test(text)) {
    return refuse("algorithm_not_allowed", "The ID token is signed with an algorithm that is not accepted.");
  }
  if (/"iss"|issuer/i.test(text)) {
    return refuse("issuer_mismatch", "The answer comes from another identity provider (issuer mismatch).");
  }
  if (/id_token/i.test(text))
    return refuse("id_token_missing", "Your identity provider sent no usable ID token.");
  return refuse("id_token_invalid", "The answer from your identity provider is not valid.");
}
