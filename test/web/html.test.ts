/** The pages' escaping template and language choice, as pure functions. */
import test from "ava";
import { escapeHtml, html, raw } from "../../sim/web/html.js";
import { fromAcceptLanguage } from "../../sim/web/i18n.js";

test("escapeHtml turns every character that could end text or an attribute into an entity", (t) => {
  t.is(escapeHtml(`<a href="x" title='y'>&amp;</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  t.is(escapeHtml("電話 +8190"), "電話 +8190");
});

test("html escapes every interpolated value, keeps html-built parts, joins arrays and drops undefined, null and false", (t) => {
  const name = "<script>x()</script>";
  const inner = html`<b>${name}</b>`;
  const out = html`<td title="${name}">${inner}${[html`<i>${"a&b"}</i>`, "<c>"]}${undefined}${null}${false}${0}</td>`;
  t.is(out.text, '<td title="&lt;script&gt;x()&lt;/script&gt;"><b>&lt;script&gt;x()&lt;/script&gt;</b><i>a&amp;b</i>&lt;c&gt;0</td>');
  t.is(html`${raw("<hr>")}`.text, "<hr>");
});

test("the language follows Accept-Language by quality, then order, and only among those we have", (t) => {
  t.is(fromAcceptLanguage("ja-JP,ja;q=0.9,en;q=0.8"), "ja");
  t.is(fromAcceptLanguage("fr-FR, en-GB;q=0.7, ja;q=0.8"), "ja");
  t.is(fromAcceptLanguage("en-US,en;q=0.9"), "en");
  t.is(fromAcceptLanguage("ja;q=0, en"), "en");
  t.is(fromAcceptLanguage("de, fr"), undefined);
  t.is(fromAcceptLanguage(undefined), undefined);
});
