/**
 * The frame every page shares: the header with the site's name, the links between the
 * management site and the live view, the language switch and (signed in) sign-out.
 */
import { Html, html } from "./html.js";
import { Lang, t } from "./i18n.js";
import type { Session } from "./session.js";

export interface PageFrame {
  lang: Lang;
  title: string;
  session: Session;
  /** The path the language switch links back to. */
  path: string;
  /** Which header link is the current page. */
  current: "manage" | "live";
  body: Html;
  /** Scripts of ours under /assets/. */
  scripts?: string[];
  wide?: boolean;
}

export function page(f: PageFrame): Html {
  const other: Lang = f.lang === "ja" ? "en" : "ja";
  const signedIn = f.session.msisdn !== undefined;
  const flash = f.session.flash;
  f.session.flash = undefined;
  return html`<!doctype html>
<html lang="${f.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${f.session.csrf}">
<title>${f.title}</title>
<link rel="stylesheet" href="/assets/site.css">
${(f.scripts || []).map((s) => html`<script src="/assets/${s}" defer></script>\n`)}</head>
<body class="${f.current}">
<header class="top">
  <div class="brand"><span class="logo" aria-hidden="true">1</span>${f.current === "live" ? t(f.lang, "liveName") : t(f.lang, "siteName")}</div>
  <nav>
    <a href="/manage"${f.current === "manage" ? html` aria-current="page"` : ""}>${t(f.lang, "manageLink")}</a>
    <a href="/live"${f.current === "live" ? html` aria-current="page"` : ""}>${t(f.lang, "liveLink")}</a>
    <a href="${f.path}?lang=${other}" hreflang="${other}" lang="${other}" class="lang">${t(f.lang, "language")}</a>
    ${signedIn
      ? html`<form method="post" action="/signout" class="inline"><input type="hidden" name="csrf" value="${f.session.csrf}"><button class="link">${t(f.lang, "signOut")}</button></form>`
      : ""}
  </nav>
</header>
<main class="${f.wide ? "wide" : "narrow"}">
${flash ? html`<p class="flash ${flash.kind}" role="status">${flash.text}</p>` : ""}
${f.body}
</main>
</body>
</html>
`;
}
