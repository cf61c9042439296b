// passport + @node-saml/passport-saml's MultiSamlStrategy, with the options of the request's
// organization attached to the request by our route (never looked up from message content).
// node-saml verifies the XML signature against the configured certificates only, reads only
// the signed assertion, decrypts encrypted assertions and builds AuthnRequests (our SP metadata
// is sp-metadata.ts: it needs no connection).
import type { Request, Response } from "express";
import { Passport, type Strategy } from "passport";
import { MultiSamlStrategy, type Profile, type SamlConfig } from "@node-saml/passport-saml";

const OPTIONS = Symbol("sso-bridge.samlOptions");
type WithOptions = { [OPTIONS]?: SamlConfig };
type SamlVerify = ConstructorParameters<typeof MultiSamlStrategy>[1];

export class SamlValidationError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** node-saml's error messages, mapped to our stable reason codes (first match wins). */
const NODE_SAML_REASONS: [RegExp, string][] = [
  [/audience/i, "audience_mismatch"],
  [/decrypt|EncryptedAssertion/i, "decryption_failed"],
  [/SAML provider returned/i, "idp_error"],
  [/signature|signed data|SignedInfo|reference|digest/i, "signature_invalid"],
  [/Missing SAML assertion|Unknown SAML response/i, "response_malformed"],
];

export function reasonOfNodeSamlError(err: unknown): SamlValidationError {
  const message = err instanceof Error ? err.message : String(err);
  const reason = NODE_SAML_REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? "response_invalid";
  return new SamlValidationError(reason, message);
}

export function createSamlPassport() {
  const passport = new Passport();
  const keepProfile = ((
    _req: unknown,
    profile: Profile | null,
    done: (e: Error | null, u?: object) => void,
  ) => done(null, profile ?? undefined)) as unknown as SamlVerify;
  passport.use(
    "saml",
    new MultiSamlStrategy(
      {
        passReqToCallback: true,
        getSamlOptions(req, done) {
          const options = (req as unknown as WithOptions)[OPTIONS];
          if (options) done(null, options);
          else done(new Error("SAML options were not attached to the request"));
        },
      },
      keepProfile,
      keepProfile,
    ) as unknown as Strategy,
  );

  const run = (
    req: Request,
    res: Response,
    options: SamlConfig,
    onDone: (err: unknown, user: unknown) => void,
  ) => {
    (req as unknown as WithOptions)[OPTIONS] = options;
    passport.authenticate("saml", { session: false }, (err: unknown, user: unknown) => onDone(err, user))(
      req,
      res,
      (err: unknown) => onDone(err ?? new Error("SAML strategy passed the request on"), null),
    );
  };

  return {
    /** Validates req.body.SAMLResponse; resolves with node-saml's profile of the signed assertion. */
    validateResponse(req: Request, res: Response, options: SamlConfig): Promise<Profile> {
      return new Promise((resolve, reject) =>
        run(req, res, options, (err, user) => {
          if (err) reject(reasonOfNodeSamlError(err));
          else if (!user) reject(new SamlValidationError("response_invalid", "no assertion was accepted"));
          else resolve(user as Profile);
        }),
      );
    },

    /** Sends the browser to the IdP with an AuthnRequest (HTTP-Redirect, or an auto-post form). */
    startLogin(req: Request, res: Response, options: SamlConfig): Promise<void> {
      return new Promise((resolve, reject) => {
        res.once("finish", () => resolve());
        run(req, res, options, (err) => reject(err instanceof Error ? err : new Error(String(err))));
      });
    },
  };
}

export type SamlPassport = ReturnType<typeof createSamlPassport>;
