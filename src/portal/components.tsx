// Small pieces every page uses. Text from users or the IdP is always written as a child with
// the `safe` attribute (escaped); attributes are escaped by @kitajs/html itself.
import type { PropsWithChildren } from "@kitajs/html";
import { CSRF_FIELD } from "../http/csrf";
import { relativeTime } from "./format";

/** The hidden CSRF field every form carries. */
export const CsrfField = ({ token }: { token: string }) => (
  <input type="hidden" name={CSRF_FIELD} value={token} />
);

/** A POST form with its CSRF field; `confirm` is not used: consequences are written beside the button. */
export function PostForm(
  props: PropsWithChildren<{ action: string; csrf: string; class?: string; id?: string }>,
) {
  return (
    <form method="post" action={props.action} class={props.class} id={props.id}>
      <CsrfField token={props.csrf} />
      {props.children}
    </form>
  );
}

/** "3 days ago", with the absolute UTC time on hover and in the datetime attribute. */
export function RelTime({
  at,
  now,
  empty = "never",
}: {
  at: Date | string | null | undefined;
  now: Date;
  empty?: string;
}) {
  if (!at)
    return (
      <span class="muted" safe>
        {empty}
      </span>
    );
  const date = typeof at === "string" ? new Date(at) : at;
  const iso = date.toISOString();
  return (
    <time datetime={iso} title={`${iso.slice(0, 16).replace("T", " ")} UTC`} safe>
      {relativeTime(date, now)}
    </time>
  );
}

export function Notice(
  props: PropsWithChildren<{ kind: "info" | "warning" | "error" | "success"; id?: string }>,
) {
  const role = props.kind === "error" || props.kind === "warning" ? "alert" : "status";
  return (
    <div class={`notice notice-${props.kind}`} role={role} id={props.id}>
      {props.children}
    </div>
  );
}

/** A form error or success message from the last POST, when there is one. */
export function FlashMessage({ error, success }: { error?: string | null; success?: string | null }) {
  if (error)
    return (
      <Notice kind="error">
        <span safe>{error}</span>
      </Notice>
    );
  if (success)
    return (
      <Notice kind="success">
        <span safe>{success}</span>
      </Notice>
    );
  return "";
}

/** The sentence shown beside every manual-management control while SSO is on (contract section 3). */
export const SSO_MANAGED = "Managed by your identity provider (single sign-on is on)";

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  value?: string | null;
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  disabled?: boolean;
  minlength?: number;
  inputmode?: string;
  pattern?: string;
}) {
  const id = `f-${props.name}`;
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? undefined}
        required={props.required}
        autocomplete={props.autocomplete}
        disabled={props.disabled}
        minlength={props.minlength}
        inputmode={props.inputmode}
        pattern={props.pattern}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint ? (
        <p class="hint" id={`${id}-hint`} safe>
          {props.hint}
        </p>
      ) : (
        ""
      )}
    </div>
  );
}
