/**
 * The management site's pages (ワンナンバーサービス管理サイト, SPEC R14, R15, R2, R17),
 * rendered on the server: sign-in, the accessory list with the Multi-device option,
 * the unregister confirmation, and the error page for a number without One Number.
 * Every form carries the session's CSRF token.
 */
import type { RegistrationView } from "../entitlement/activation.js";
import { Html, html } from "./html.js";
import { Lang, t } from "./i18n.js";
import { page } from "./layout.js";
import type { Session } from "./session.js";

/** A row of the list (R14): an accessory registered to the number, reachable or not. */
export type SiteRow = RegistrationView & { registeredAt: string; state: "registered" | "not reachable" };

/** The accessories the site lists: registered ones (R14); those activating, unregistering (R16) or gone are not. */
export function siteRows(all: RegistrationView[]): SiteRow[] {
  return all.filter((r): r is SiteRow => (r.state === "registered" || r.state === "not reachable") && r.registeredAt !== null);
}

/** A page of the management site: its title is the page's name, then the site's. */
function sitePage(lang: Lang, s: Session, name: string | undefined, path: string, body: Html): Html {
  return page({ lang, session: s, title: name ? name + " - " + t(lang, "siteName") : t(lang, "siteName"), path, current: "manage", body });
}

function token(s: Session): Html {
  return html`<input type="hidden" name="csrf" value="${s.csrf}">`;
}

/** Registration time in Japan time, as the carrier's site would show it. */
function when(lang: Lang, iso: string): string {
  const fmt = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", { timeZone: "Asia/Tokyo", dateStyle: "medium", timeStyle: "short" });
  return fmt.format(new Date(iso)) + " JST";
}

export function signInPage(lang: Lang, s: Session, o: { error?: string; number?: string; pin: string }): Html {
  return sitePage(lang, s, t(lang, "signIn"), "/", html`<section class="card signin">
<h1>${t(lang, "signIn")}</h1>
<p>${t(lang, "signInLead")}</p>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ""}
<form method="post" action="/signin">
${token(s)}
<label>${t(lang, "number")}<input name="number" inputmode="tel" autocomplete="tel" required value="${o.number || ""}" placeholder="09012345678"></label>
<label>${t(lang, "pin")}<input name="pin" type="password" inputmode="numeric" autocomplete="current-password" required pattern="[0-9]{4}" maxlength="4"></label>
<button class="primary">${t(lang, "signIn")}</button>
</form>
<p class="note">${t(lang, "simNote")} <code>${o.pin}</code>.</p>
</section>`);
}

export function noContractPage(lang: Lang, s: Session, msisdn: string): Html {
  return sitePage(lang, s, t(lang, "noContractTitle"), "/manage", html`<section class="card error-page">
<h1>${t(lang, "noContractTitle")}</h1>
<p class="error">${t(lang, "noContract")}</p>
<p class="muted">${msisdn}</p>
</section>`);
}

function optionSection(lang: Lang, s: Session, on: boolean): Html {
  return html`<section class="card option">
<h2>${t(lang, "multiDevice")} <span class="pill ${on ? "on" : "off"}" data-testid="multi-device-state">${on ? t(lang, "on") : t(lang, "off")}</span></h2>
<p>${t(lang, "multiDeviceLead")}</p>
<form method="post" action="/manage/multi-device">
${token(s)}<input type="hidden" name="on" value="${on ? "0" : "1"}">
<button class="${on ? "secondary" : "primary"}">${on ? t(lang, "turnOff") : t(lang, "turnOn")}</button>
</form>
</section>`;
}

function row(lang: Lang, d: SiteRow): Html {
  return html`<tr data-device="${d.device}">
<td class="name">${d.friendlyName}${d.smsPriority ? html` <span class="pill prio">${t(lang, "smsPriority")}</span>` : ""}</td>
<td>${d.model}</td>
<td class="mono">${d.imeiLast4}</td>
<td><time datetime="${d.registeredAt}">${when(lang, d.registeredAt)}</time></td>
<td><span class="state ${d.state === "registered" ? "ok" : "warn"}">${d.state === "registered" ? t(lang, "registered") : t(lang, "notReachable")}</span></td>
<td><a class="button danger" href="/manage/devices/${encodeURIComponent(d.device)}/unregister">${t(lang, "unregister")}</a></td>
</tr>`;
}

const PROGRESS = { websheet: "progressWebsheet", delayed: "progressDelayed", deleting: "progressDeleting" } as const;

/** Registrations P's app is still working on (R8 step 4: 1, 4, 6), and a notice when new terms wait. */
function progressSection(lang: Lang, pending: RegistrationView[], termsPending: boolean): Html | string {
  if (pending.length === 0 && !termsPending) return "";
  return html`<section class="card progress">
<h1>${t(lang, "inProgress")}</h1>
${termsPending ? html`<p class="notice"><a href="/manage/terms">${t(lang, "termsNotice")}</a></p>` : ""}
<ul>
${pending.map((r) => html`<li data-imei-last4="${r.imeiLast4}"><span class="name">${r.friendlyName}</span>: <span class="progress-state">${r.pending ? t(lang, PROGRESS[r.pending]) : ""}</span></li>`)}
</ul>
</section>`;
}

/** The websheet of SubscriptionResult 1: the new terms, and accepting them. */
export function termsPage(lang: Lang, s: Session, terms: { version: number; text: string } | undefined): Html {
  return sitePage(lang, s, t(lang, "termsTitle"), "/manage/terms", html`<section class="card terms">
<h1>${t(lang, "termsTitle")}</h1>
${terms
  ? html`<p>${t(lang, "termsLead")}</p>
<blockquote class="terms-text">${terms.text}</blockquote>
<form method="post" action="/manage/terms" class="actions">
${token(s)}
<input type="hidden" name="version" value="${String(terms.version)}">
<button>${t(lang, "termsAccept")}</button>
<a class="button secondary" href="/manage">${t(lang, "cancel")}</a>
</form>`
  : html`<p>${t(lang, "termsAccepted")}</p><p><a href="/manage">${t(lang, "devicesTitle")}</a></p>`}
</section>`);
}

export function listPage(lang: Lang, s: Session, msisdn: string, devices: SiteRow[] | undefined, multiDevice: boolean, pending: RegistrationView[] = [], termsPending = false): Html {
  const list =
    devices === undefined
      ? ""
      : html`<section class="card">
<h1>${t(lang, "devicesTitle")}</h1>
${devices.length === 0
  ? html`<p class="muted">${t(lang, "none")}</p>`
  : html`<table class="devices">
<thead><tr><th>${t(lang, "friendlyName")}</th><th>${t(lang, "model")}</th><th>${t(lang, "imeiLast4")}</th><th>${t(lang, "registeredAt")}</th><th>${t(lang, "state")}</th><th></th></tr></thead>
<tbody>
${devices.map((d) => row(lang, d))}
</tbody>
</table>`}
</section>`;
  return sitePage(lang, s, undefined, "/manage", html`<p class="account">${t(lang, "number")}: <strong class="mono">${msisdn}</strong></p>
${progressSection(lang, pending, termsPending)}
${list}
${optionSection(lang, s, multiDevice)}`);
}

export function confirmPage(lang: Lang, s: Session, d: SiteRow): Html {
  return sitePage(lang, s, t(lang, "confirmTitle"), "/manage/devices/" + encodeURIComponent(d.device) + "/unregister", html`<section class="card confirm">
<h1>${t(lang, "confirmTitle")}</h1>
<p>${t(lang, "confirmText")}</p>
<dl class="facts">
<dt>${t(lang, "friendlyName")}</dt><dd class="name">${d.friendlyName}</dd>
<dt>${t(lang, "model")}</dt><dd>${d.model}</dd>
<dt>${t(lang, "imeiLast4")}</dt><dd class="mono">${d.imeiLast4}</dd>
</dl>
<form method="post" action="/manage/devices/${encodeURIComponent(d.device)}/unregister" class="actions">
${token(s)}
<button class="danger">${t(lang, "unregister")}</button>
<a class="button secondary" href="/manage">${t(lang, "cancel")}</a>
</form>
</section>`);
}
