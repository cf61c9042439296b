// Words a person uses for dates, roles and states (the portal never shows raw enum values).
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function relativeTime(at: Date, now: Date): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (abs >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60), "minute");
}

export const STATUS_WORDS: Record<string, string> = {
  invited: "Invited",
  active: "Active",
  deactivated: "Deactivated",
  blocked: "Blocked",
};

export const PROVISIONED_WORDS: Record<string, string> = {
  scim: "SCIM",
  sso: "SSO sign-in",
  invite: "Invitation",
};

export const SSO_WORDS = { on: "on", off: "off", not_set_up: "not set up" } as const;
