/**
 * The live view of the shared line: the page's frame and controls, rendered on the
 * server; the state itself (devices, calls, SMS, log) is drawn by /assets/live.js from
 * the snapshots /live/events streams (live-state.ts), with text nodes only. The
 * buttons do what the simulator's console does, through the control API (same origin,
 * with the session's CSRF token).
 */
import { Html, html, raw } from "./html.js";
import type { Lang } from "./i18n.js";
import { page } from "./layout.js";
import type { Session } from "./session.js";

const WORDS = {
  ja: {
    title: "共有回線ライブビュー",
    number: "番号",
    line: "回線",
    priority: "SMS優先端末",
    time: "時刻",
    devices: "端末",
    calls: "通話",
    noCalls: "通話はありません",
    sms: "SMS",
    noSms: "SMSはありません",
    log: "ネットワークのイベントログ",
    outside: "外部の相手",
    party: "相手の番号",
    callNumber: "この番号に発信",
    partyHangup: "相手が切る",
    smsText: "SMS本文",
    sendSms: "SMSを送る",
    phone: "スマートフォン (P)",
    answer: "応答",
    decline: "拒否",
    hangup: "終話",
    dialNumber: "発信先",
    dial: "発信",
    powerOff: "電源を切る",
    register: "Pのアプリで登録",
    unregister: "Pのアプリで解除",
    powerOn: "電源を入れる",
    timeCtl: "仮想時間",
    live: "接続中",
    offline: "再接続中…",
    idle: "待受",
    ringing: "着信中",
    "in-call": "通話中",
    emergency: "緊急通報中",
    "out-of-coverage": "圏外",
    off: "電源オフ",
    unregistered: "未登録",
    coverage: "電波",
    full: "圏内",
    limited: "他社網のみ(緊急通報)",
    none: "圏外",
    in: "着信",
    out: "発信",
    sending: "配信中",
    delivered: "受信済み",
    stored: "保留(再送待ち)",
    retrying: "再送待ち",
    failed: "失敗",
    expired: "期限切れ",
    submitted: "送信済み",
    "on hold": "保留中",
    "call waiting": "キャッチホン",
    dialling: "発信中",
    "unregistering after the call": "通話後に登録解除",
    "limited service (emergency only)": "緊急通報のみ",
    activating: "開通手続き中(eSIMプロファイル)",
    Smartphone: "スマートフォン",
    withheld: "非通知",
    "leg.incoming": "着信中",
    "leg.waiting": "キャッチホン",
    "leg.active": "通話中",
    "leg.held": "保留中",
    "leg.dialing": "発信中",
    "leg.alerting": "呼出中",
    "call.setup": "接続中",
    "call.alerting": "呼出中",
    "call.active": "通話中",
  },
  en: {
    title: "Shared line live view",
    number: "Number",
    line: "Line",
    priority: "SMS priority",
    time: "Time",
    devices: "Devices",
    calls: "Calls",
    noCalls: "No calls",
    sms: "SMS",
    noSms: "No messages",
    log: "Network event log",
    outside: "Outside party",
    party: "Their number",
    callNumber: "Call the number",
    partyHangup: "They hang up",
    smsText: "SMS text",
    sendSms: "Send SMS",
    phone: "Smartphone (P)",
    answer: "Answer",
    decline: "Decline",
    hangup: "Hang up",
    dialNumber: "Number to dial",
    dial: "Dial",
    powerOff: "Switch off",
    register: "Register (P's app)",
    unregister: "Unregister (P's app)",
    powerOn: "Switch on",
    timeCtl: "Virtual time",
    live: "live",
    offline: "reconnecting…",
    idle: "idle",
    ringing: "ringing",
    "in-call": "in a call",
    emergency: "emergency call",
    "out-of-coverage": "out of coverage",
    off: "off",
    unregistered: "unregistered",
    coverage: "Coverage",
    full: "full",
    limited: "limited (emergency only)",
    none: "none",
    in: "incoming",
    out: "outgoing",
    sending: "sending",
    delivered: "delivered",
    stored: "stored (will retry)",
    retrying: "retrying",
    failed: "failed",
    expired: "expired",
    submitted: "submitted",
    "on hold": "on hold",
    "call waiting": "call waiting",
    dialling: "dialling",
    "unregistering after the call": "unregistering after the call",
    "limited service (emergency only)": "emergency calls only",
    activating: "activating (eSIM profile)",
    Smartphone: "Smartphone",
    withheld: "withheld",
    "leg.incoming": "incoming",
    "leg.waiting": "waiting",
    "leg.active": "active",
    "leg.held": "held",
    "leg.dialing": "dialling",
    "leg.alerting": "alerting",
    "call.setup": "setting up",
    "call.alerting": "alerting",
    "call.active": "active",
  },
};

type Words = (typeof WORDS)["en"];

/** JSON inside <script>: `<`, `>`, `&` and the JS line separators escaped, so no text can close the element. */
function scriptJson(v: unknown): Html {
  return raw(
    JSON.stringify(v)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026")
      .replace(/\u2028/g, "\\u2028")
      .replace(/\u2029/g, "\\u2029"),
  );
}

export function livePage(lang: Lang, s: Session, o: { virtual: boolean; party: string }): Html {
  const w: Words = WORDS[lang];
  return page({
    lang,
    session: s,
    title: w.title,
    path: "/live",
    current: "live",
    wide: true,
    scripts: ["live.js"],
    body: html`<script type="application/json" id="words">${scriptJson(w)}</script>
<section class="summary" aria-live="polite">
  <div><span class="label">${w.number}</span><strong id="number" class="mono">…</strong></div>
  <div><span class="label">${w.line}</span><strong id="line" class="mono">…</strong></div>
  <div><span class="label">${w.priority}</span><strong id="priority">…</strong></div>
  <div><span class="label">${w.time}</span><strong id="clock" class="mono">…</strong></div>
  <div class="conn"><span id="conn" class="dot offline" data-live="${w.live}" data-offline="${w.offline}">${w.offline}</span></div>
</section>
<p id="error" class="error" role="alert" hidden></p>
<div class="grid">
  <section class="panel devices-panel">
    <h2>${w.devices}</h2>
    <div id="devices" class="devices-grid"></div>
  </section>
  <section class="panel controls">
    <h2>${w.outside}</h2>
    <form class="ctl" data-form="party">
      <label>${w.party}<input name="party" value="${o.party}" inputmode="tel" pattern="\\+?[0-9]{2,15}" required></label>
      <div class="row">
        <button type="button" class="primary" data-act="party-call">${w.callNumber}</button>
        <button type="button" data-act="party-hangup">${w.partyHangup}</button>
      </div>
      <label>${w.smsText}<input name="text" maxlength="1600"></label>
      <div class="row"><button type="button" data-act="party-sms">${w.sendSms}</button></div>
    </form>
    <h2>${w.phone}</h2>
    <form class="ctl" data-form="phone">
      <div class="row">
        <button type="button" class="primary" data-act="phone-answer">${w.answer}</button>
        <button type="button" data-act="phone-decline">${w.decline}</button>
        <button type="button" data-act="phone-hangup">${w.hangup}</button>
      </div>
      <label>${w.dialNumber}<input name="dial" inputmode="tel" pattern="[0-9+*#]{1,40}"></label>
      <div class="row"><button type="button" data-act="phone-dial">${w.dial}</button></div>
      <div class="row">
        <button type="button" data-act="phone-off">${w.powerOff}</button>
        <button type="button" data-act="phone-on">${w.powerOn}</button>
      </div>
    </form>
    ${o.virtual
      ? html`<h2>${w.timeCtl}</h2>
    <div class="row">
      <button type="button" data-act="time" data-ms="1000">+1 s</button>
      <button type="button" data-act="time" data-ms="5000">+5 s</button>
      <button type="button" data-act="time" data-ms="15000">+15 s</button>
      <button type="button" data-act="time" data-ms="60000">+60 s</button>
    </div>`
      : ""}
  </section>
  <section class="panel calls-panel">
    <h2>${w.calls}</h2>
    <div id="calls"><p class="muted">${w.noCalls}</p></div>
  </section>
  <section class="panel sms-panel">
    <h2>${w.sms}</h2>
    <div id="sms"><p class="muted">${w.noSms}</p></div>
  </section>
  <section class="panel log-panel">
    <h2>${w.log}</h2>
    <ol id="log" class="log mono"></ol>
  </section>
</div>`,
  });
}
