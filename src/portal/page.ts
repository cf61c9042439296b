// Sends a portal page: rendered with the layout, never cached (pages carry personal data and
// CSRF tokens), and under the portal's strict CSP (set by the router for every portal answer).
import type { Response } from "express";
import { Layout, type LayoutProps } from "./layout";

export async function page(
  res: Response,
  props: LayoutProps & { status?: number },
  body: JSX.Element,
): Promise<void> {
  const html = await Layout({ ...props, children: await body });
  res
    .status(props.status ?? 200)
    .set("Cache-Control", "no-store")
    .type("text/html; charset=utf-8")
    .send(html);
}
