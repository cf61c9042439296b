// The frame of every portal page: header (organization, SSO badge, who is signed in, sign
// out), navigation by role, the certificate warning banner, and the page's own content.
// No inline script or style anywhere: the CSP allows only our own files.
import type { PropsWithChildren } from "@kitajs/html";
import { assetUrl } from "./assets";
import { PostForm } from "./components";
import { SSO_WORDS } from "./format";
import { displayName, isAdmin, type NavKey, type View } from "./view";

export const ADMIN_NAV: { key: NavKey; href: string; label: string }[] = [
  { key: "overview", href: "/", label: "Overview" },
  { key: "users", href: "/users", label: "Users" },
  { key: "groups", href: "/groups", label: "Groups & roles" },
  { key: "sso", href: "/sso-setup", label: "Single sign-on" },
  { key: "scim", href: "/scim-setup", label: "SCIM" },
  { key: "activity", href: "/activity", label: "Activity" },
  { key: "audit", href: "/audit", label: "Audit log" },
  { key: "settings", href: "/settings", label: "Settings" },
];
export const MEMBER_NAV: typeof ADMIN_NAV = [{ key: "profile", href: "/profile", label: "Profile" }];

export interface LayoutProps {
  view: View;
  title: string;
  nav?: NavKey;
  /** A narrow single-column page (sign-in, errors). */
  narrow?: boolean;
}

function Header({ view, nav }: { view: View; nav?: NavKey }) {
  const v = view.viewer;
  if (!v)
    return (
      <header class="top">
        <span class="brand">sso-bridge</span>
      </header>
    );
  const items = isAdmin(v) ? ADMIN_NAV : MEMBER_NAV;
  return (
    <header class="top">
      <div class="top-row">
        <span class="brand" safe>
          {v.org.name}
        </span>
        <span class={`badge sso-${v.sso}`}>Single sign-on: {SSO_WORDS[v.sso]}</span>
        <span class="who">
          <a href="/profile" safe>
            {displayName(v.user)}
          </a>
          <span class="muted">{v.breakGlass ? "Admin (break-glass)" : (v.role ?? "no role")}</span>
        </span>
        <PostForm action="/logout" csrf={view.csrf} class="inline">
          <button type="submit" class="link">
            Sign out
          </button>
        </PostForm>
      </div>
      <nav aria-label="Portal">
        <ul>
          {items.map((i) => (
            <li>
              <a href={i.href} aria-current={i.key === nav ? "page" : undefined} safe>
                {i.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  );
}

function CertificateBanner({ view }: { view: View }) {
  const w = view.viewer?.certificateWarning;
  if (!w || !isAdmin(view.viewer)) return "";
  return (
    <div class="banner" role="alert">
      <span safe>
        {`Your identity provider's signing certificate ${w.daysLeft < 0 ? "has expired" : `expires in ${w.daysLeft} days`} (${w.notAfter.toISOString().slice(0, 10)}).`}
      </span>{" "}
      <a href="/sso-setup">Update it under Single sign-on</a>.
    </div>
  );
}

export function Layout(props: PropsWithChildren<LayoutProps>) {
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title safe>{`${props.title} · ${props.view.viewer?.org.name ?? "sso-bridge"}`}</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={assetUrl("portal.css")} />
          <script src={assetUrl("portal.js")} defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <Header view={props.view} nav={props.nav} />
          <CertificateBanner view={props.view} />
          <main id="main" class={props.narrow ? "narrow" : undefined}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
