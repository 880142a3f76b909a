import type { VNode } from "preact";
import { Layout } from "./page.js";

export function LoginPage(props: {
  csrf: string;
  error?: string | undefined;
  name?: string | undefined;
}): VNode {
  return (
    <Layout title="Sign in">
      {props.error && (
        <p role="alert" class="error">
          {props.error}
        </p>
      )}
      <form method="post" action="/ops/login" class="login">
        <input type="hidden" name="csrf" value={props.csrf} />
        <p>
          <label>
            Name <input name="name" autocomplete="username" required value={props.name ?? ""} />
          </label>
        </p>
        <p>
          <label>
            Password <input name="password" type="password" autocomplete="current-password" required />
          </label>
        </p>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
    </Layout>
  );
}
