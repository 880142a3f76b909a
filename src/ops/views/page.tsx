/**
 * The console's frame: every page is a preact component rendered to a string on the server, so
 * every value is escaped unless a component says otherwise (none does).
 */
import type { Response } from "express";
import type { ComponentChildren, VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { SessionOperator } from "../sessions.js";

export type NavKey = "live" | "calls" | "trn" | "locks" | "statistics" | "flow" | "operators";

const NAV: { key: NavKey; href: string; label: string; adminOnly?: boolean }[] = [
  { key: "live", href: "/ops/live", label: "Live calls" },
  { key: "calls", href: "/ops/calls", label: "Call log" },
  { key: "trn", href: "/ops/trn", label: "Reference numbers" },
  { key: "locks", href: "/ops/locks", label: "Locked accounts" },
  { key: "statistics", href: "/ops/statistics", label: "Statistics" },
  { key: "flow", href: "/ops/flow", label: "The flow" },
  { key: "operators", href: "/ops/operators", label: "Operators", adminOnly: true },
];

/** Who is signed in, for the header and the sign-out form. */
export interface Viewer {
  operator: SessionOperator;
  csrf: string;
}

export function Layout(props: {
  title: string;
  viewer?: Viewer | undefined;
  active?: NavKey | undefined;
  scripts?: string[] | undefined;
  children: ComponentChildren;
}): VNode {
  const { viewer } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Renewline console`}</title>
        <link rel="stylesheet" href="/ops/assets/console.css" />
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
        {viewer && (
          <header class="top">
            <span class="brand">Renewline console</span>
            <nav aria-label="Console">
              {NAV.filter((item) => !item.adminOnly || viewer.operator.role === "admin").map((item) => (
                <a href={item.href} aria-current={item.key === props.active ? "page" : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
            <form method="post" action="/ops/logout" class="signout">
              <input type="hidden" name="csrf" value={viewer.csrf} />
              <span class="who">
                {viewer.operator.name} ({viewer.operator.role})
              </span>
              <button type="submit">Sign out</button>
            </form>
          </header>
        )}
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function renderPage(page: VNode): string {
  return `<!doctype html>\n${renderToString(page)}`;
}

export function sendPage(res: Response, page: VNode, status = 200): void {
  res.status(status).type("html").send(renderPage(page));
}
