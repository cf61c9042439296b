// How the CLI prints a result: exactly one JSON object with --json; otherwise `key: value`
// lines, and a table (one row per item, tab-separated, a header first) for lists.
import type { CommandResult } from "./commands";

const COLUMNS: Record<string, string[]> = {
  "org list": ["slug", "name", "plan", "id", "createdAt"],
  "scim-token list": ["id", "name", "createdAt", "lastUsedAt", "revokedAt"],
  "api-key list": ["id", "name", "createdAt", "lastUsedAt", "revokedAt"],
  "user list": ["id", "email", "status", "role", "provisionedBy"],
};

const cell = (v: unknown): string =>
  v === null || v === undefined ? "-" : typeof v === "object" ? JSON.stringify(v) : String(v);

function text(command: string, result: Record<string, unknown>): string {
  const columns = COLUMNS[command];
  if (columns && Array.isArray(result.data)) {
    const rows = (result.data as Record<string, unknown>[]).map((r) =>
      columns.map((c) => cell(r[c])).join("\t"),
    );
    return rows.length ? [columns.join("\t"), ...rows].join("\n") + "\n" : "(none)\n";
  }
  return Object.entries(result)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(cell).join(", ") || "(none)" : cell(v)}\n`)
    .join("");
}

/** Prints the result; answers the exit code. */
export function output(command: string, result: CommandResult, json: boolean): number {
  if (result.ok) {
    process.stdout.write(json ? JSON.stringify(result.result) + "\n" : text(command, result.result));
    return 0;
  }
  process.stderr.write(`sso-bridge: ${result.error.message}\n`);
  if (json) process.stdout.write(JSON.stringify({ error: result.error }) + "\n");
  return 1;
}
