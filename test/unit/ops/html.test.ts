import { describe, expect, it } from "vitest";
import { html } from "../../../src/ops/html.js";

describe("the html template tag", () => {
  it("escapes every value unless it is a fragment the tag made", () => {
    const title = `<script>alert("x")</script> & 'co'`;
    const item = html`<li>${title}</li>`;
    expect(html`<ul>${[item, item]}</ul>${null}${false}${undefined}${42}`.text).toBe(
      "<ul>" +
        "<li>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</li>".repeat(2) +
        "</ul>42",
    );
  });

  it("escapes quotes inside attribute values", () => {
    expect(html`<input value="${'"><img src=x onerror=alert(1)>'}">`.text).toBe(
      '<input value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">',
    );
  });
});
