// Prepared-statement names: one per distinct SQL text, stable, and none past the bound (those
// queries run unnamed), so client-chosen SCIM filter shapes cannot grow every connection's
// statement cache without end.
import { createStatementNamer } from "../../src/db/statement-names";

describe("createStatementNamer", () => {
  test("when the same text comes again, then it gets the same name; another text gets another", () => {
    const name = createStatementNamer();
    const a = name({ sql: "SELECT 1" });
    expect(a).toMatch(/^sb_[A-Za-z0-9_-]{32}$/);
    expect(name({ sql: "SELECT 1" })).toBe(a);
    expect(name({ sql: "SELECT 2" })).not.toBe(a);
  });

  test("when the bound is reached, then new texts run unnamed and known ones keep their names", () => {
    const name = createStatementNamer(2);
    const a = name({ sql: "SELECT 1" });
    name({ sql: "SELECT 2" });
    expect(name({ sql: "SELECT 3" })).toBeUndefined();
    expect(name({ sql: "SELECT 1" })).toBe(a);
  });
});
