// axe-core on the page as it is now: no serious or critical violation (WCAG 2.1 A and AA rules).
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map(
    (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect({ url: page.url(), violations: report }).toEqual({ url: page.url(), violations: [] });
}
