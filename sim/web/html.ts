/**
 * HTML built so that escaping cannot be forgotten: `html` is a tagged template whose
 * interpolations are escaped unless they are already `Html` (built by `html` itself or
 * by `raw` on text the code wrote). A friendly name of `<script>` or a caller number
 * someone typed stays text, whatever page shows it.
 */

/** A piece of HTML that is safe to insert as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Text as HTML text or a quoted attribute value (both quote kinds, so either attribute quoting is safe). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

type Part = Html | string | number | boolean | undefined | null | Part[];

function render(v: Part): string {
  if (v === undefined || v === null || v === false) return "";
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join("");
  return escapeHtml(String(v));
}

/** `html\`<td>${name}</td>\`` with `name` escaped; arrays are joined; undefined, null and false render nothing. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup the code itself wrote (never anything a user or the network supplied). */
export function raw(text: string): Html {
  return new Html(text);
}
