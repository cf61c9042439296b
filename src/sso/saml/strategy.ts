// passport + @node-saml/passport-saml's MultiSamlStrategy, with the options of the request's
// organization attached to the request by our route (never looked up from message content).
// It builds AuthnRequests only: responses are verified by signed-assertion.ts (docs/decisions.md,
// "SAML signature verified on our parsed document"); our SP metadata is sp-metadata.ts.
import type { Request, Response } from "express";
import { Passport, type Strategy } from "passport";
import { MultiSamlStrategy, type Profile, type SamlConfig } from "@node-saml/passport-saml";

const OPTIONS = Symbol("sso-bridge.samlOptions");
type WithOptions = { [OPTIONS]?: SamlConfig };
type SamlVerify = ConstructorParameters<typeof MultiSamlStrategy>[1];

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
