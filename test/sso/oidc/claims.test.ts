// The pure step from validated claims to the sign-in identity (groups claim, Entra overage,
// email rules, when userinfo is needed).
import { groupsOf, hasGroupOverage, identityOf, needsUserinfo, emailOf } from "../../../src/sso/oidc/claims";

describe("OIDC claims → identity", () => {
  test.each([
    [{ groups: ["A", "B"] }, "groups", ["A", "B"]],
    [{ groups: "A" }, "groups", ["A"]],
    [{ roles: ["app.admin"] }, "roles", ["app.admin"]],
    [{ realm_access: { roles: ["x"] } }, "realm_access.roles", ["x"]],
    [{ "https://acme.test/groups": ["g"] }, "https://acme.test/groups", ["g"]],
    [{ groups: [1, { no: 1 }, "ok"] }, "groups", ["1", "ok"]],
    [{ email: "a@b.test" }, "groups", null],
  ])(
    "when the claims are %j and the groups claim is %s, then the groups are %j",
    (claims, name, expected) => {
      expect(groupsOf(claims, name)).toEqual(expected);
    },
  );

  test.each([
    [{ _claim_names: { groups: "src1" } }, "groups", true],
    [{ hasgroups: true }, "groups", true],
    [{ hasgroups: true }, "roles", false],
    [{ _claim_names: { roles: "src1" } }, "roles", true],
    [{ groups: [] }, "groups", false],
  ])("when the claims are %j (claim %s), then overage is %s", (claims, name, expected) => {
    expect(hasGroupOverage(claims, name)).toBe(expected);
  });

  test.each([
    [{ email: "Ada@Acme.test" }, "Ada@Acme.test"],
    [{ email: "ada@acme.test", email_verified: false }, null],
    [{ preferred_username: "ada@acme.test" }, "ada@acme.test"],
    [{ preferred_username: "ada" }, null],
    [{ upn: "ada@acme.test" }, "ada@acme.test"],
  ])("when the claims are %j, then the email is %s", (claims, expected) => {
    expect(emailOf(claims)).toBe(expected);
  });

  test("when the provider reports overage, then the identity carries no groups and overage true", () => {
    expect(identityOf({ sub: "s", email: "e@x.test", hasgroups: true }, "groups")).toEqual({
      subject: "s",
      email: "e@x.test",
      firstName: null,
      lastName: null,
      groups: null,
      overage: true,
    });
  });

  test.each([
    [{ sub: "s", email: "e@x.test", groups: [] }, false],
    [{ sub: "s", email: "e@x.test" }, true],
    [{ sub: "s", groups: ["g"] }, true],
    [{ sub: "s", email: "e@x.test", hasgroups: true }, false],
  ])("when the ID token claims are %j, then userinfo is needed: %s", (claims, expected) => {
    expect(needsUserinfo(claims, "groups")).toBe(expected);
  });
});
