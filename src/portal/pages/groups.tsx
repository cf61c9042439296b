// Groups & roles: the rule editor and the groups. Every button of the editor posts the whole
// draft: add, remove and move change the draft and show it again with its preview, nothing is
// saved until "Save rules". portal.js posts the draft to /groups/preview as it is typed and
// shows the answer in place. Preview and save are the role-mappings service of the admin API.
import type { Request, Response, Router } from "express";
import type { Services } from "../../services";
import { ctxOf } from "../../http/auth";
import { formBody } from "../../http/csrf";
import { roleMappingsInput } from "../../roles/mappings-input";
import { hasPermission } from "../../roles/permissions";
import { allow } from "../guards";
import { page } from "../page";
import { viewOf } from "../viewer";
import { attempt, sentence } from "../form-result";
import { GroupsTable, RuleEditor, type Draft } from "./groups-view";
import { PreviewPanel } from "./groups-preview";

const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

function draftOf(body: Record<string, unknown>): Draft {
  const groups = list(body.group);
  const roles = list(body.role);
  return {
    defaultRole: typeof body.defaultRole === "string" ? body.defaultRole : "",
    rules: groups.map((group, i) => ({ group, role: roles[i] ?? "Viewer" })),
  };
}

/** The draft as the service's input; rows left blank are not rules yet. */
const inputOf = (d: Draft) =>
  roleMappingsInput.parse({
    defaultRole: d.defaultRole || null,
    rules: d.rules.filter((r) => r.group.trim() !== "").map((r) => ({ group: r.group, role: r.role })),
  });

function applyOp(d: Draft, op: string): Draft {
  const rules = [...d.rules];
  const [verb, at] = op.split(":");
  const i = Number(at);
  if (verb === "add") rules.push({ group: "", role: "Viewer" });
  else if (verb === "remove" && rules[i]) rules.splice(i, 1);
  else if (verb === "up" && i > 0 && rules[i]) [rules[i - 1], rules[i]] = [rules[i]!, rules[i - 1]!];
  else if (verb === "down" && rules[i + 1]) [rules[i + 1], rules[i]] = [rules[i]!, rules[i + 1]!];
  return { ...d, rules };
}

export function groupsPages(router: Router, services: Services): void {
  const write = [formBody, services.csrf.verify, allow("mappings:write")];

  async function render(
    req: Request,
    res: Response,
    draft: Draft | null,
    extra: { error?: string; status?: number; withPreview?: boolean } = {},
  ) {
    const view = viewOf(res);
    const ctx = ctxOf(res);
    const cursor = typeof req.query.cursor === "string" ? req.query.cursor : undefined;
    const [saved, groups] = await Promise.all([
      services.roles.getMappings(ctx),
      // The admin API's page size: counting members is the page's main cost.
      services.roles.listGroups(ctx, { cursor, limit: 50 }),
    ]);
    const d = draft ?? {
      defaultRole: saved.defaultRole ?? "",
      rules: saved.rules.map((r) => ({ group: r.group, role: r.role })),
    };
    let preview = null;
    let error = extra.error;
    if (extra.withPreview) {
      const result = await attempt(() => services.roles.previewMappings(ctx, inputOf(d)));
      if (result.ok) preview = result.value;
      else error ??= sentence(result.error.message);
    }
    const success =
      typeof req.query.saved === "string" ? `Rules saved. ${req.query.saved} user(s) changed role.` : null;
    const canWrite = hasPermission(view.viewer?.role ?? null, "mappings:write");
    await page(
      res,
      { view, title: "Groups & roles", nav: "groups", status: extra.status },
      <>
        <h1>Groups &amp; roles</h1>
        <RuleEditor
          view={view}
          draft={d}
          preview={preview}
          error={error}
          success={success}
          canWrite={canWrite}
        />
        <GroupsTable groups={groups.data} nextCursor={groups.nextCursor} />
      </>,
    );
  }

  router.get("/groups", allow("users:read"), (req, res) => render(req, res, null));

  router.post("/groups/rules", ...write, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const op = typeof body.op === "string" ? body.op : "preview";
    const draft = draftOf(body);
    if (op !== "save") return render(req, res, applyOp(draft, op), { withPreview: true });
    const result = await attempt(() =>
      services.roles.putMappings(ctxOf(res), inputOf(draft), { force: body.force === "true" }),
    );
    if (!result.ok)
      return render(req, res, draft, {
        error: sentence(result.error.message),
        status: result.error.status,
        withPreview: true,
      });
    res.redirect(303, `/groups?saved=${result.value.changed}`);
  });

  // The live preview: the same draft, answered as a fragment for portal.js to put in place.
  router.post("/groups/preview", ...write, async (req, res) => {
    const result = await attempt(() =>
      services.roles.previewMappings(ctxOf(res), inputOf(draftOf(req.body ?? {}))),
    );
    const html = result.ok
      ? await PreviewPanel({ preview: result.value })
      : await PreviewPanel({ preview: null, error: sentence(result.error.message) });
    res.set("Cache-Control", "no-store").type("text/html; charset=utf-8").send(html);
  });
}
