/** The console's pages, rendered on the server through the escaping `html` tag. */
import { html, type SafeHtml } from "./html.js";
import type { SessionOperator } from "./sessions.js";

function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
${body}
</body>
</html>
`.text;
}

export function loginPage(input: {
  csrf: string;
  error?: string | undefined;
  name?: string | undefined;
}): string {
  return layout(
    "Renewline console: sign in",
    html`<main>
<h1>Renewline console</h1>
${input.error ? html`<p role="alert">${input.error}</p>` : ""}
<form method="post" action="/ops/login">
<input type="hidden" name="csrf" value="${input.csrf}">
<p><label>Name <input name="name" autocomplete="username" required value="${input.name ?? ""}"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>`,
  );
}

export function homePage(input: { operator: SessionOperator; csrf: string }): string {
  return layout(
    "Renewline console",
    html`<main>
<h1>Renewline console — signed in as ${input.operator.name} (${input.operator.role})</h1>
<form method="post" action="/ops/logout">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit">Sign out</button>
</form>
</main>`,
  );
}
