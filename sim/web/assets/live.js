/* global document, window, EventSource, fetch */
// The live view's script: draws each snapshot from /live/events with text nodes only
// (nothing the network or a caller supplied is ever parsed as HTML), and sends the
// controls to the simulator's JSON control API with the session's CSRF token.
"use strict";

(function () {
  const words = JSON.parse(document.getElementById("words").textContent);
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const w = (k) => (Object.prototype.hasOwnProperty.call(words, k) ? words[k] : k);
  const $ = (id) => document.getElementById(id);

  /** An element with a class and children (strings become text nodes). */
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) if (c !== undefined && c !== null) e.append(c);
    return e;
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
  }

  async function api(method, path, body) {
    const init = { method, headers: { "x-csrf-token": token, "content-type": "application/json" } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(path, init);
    let answer = {};
    try {
      answer = await res.json();
    } catch {
      answer = { error: res.status + " " + res.statusText };
    }
    if (!res.ok) throw new Error(answer.error || res.status + " " + res.statusText);
    return answer;
  }

  function coverageSelect(d) {
    const s = el("select");
    s.setAttribute("aria-label", w("coverage") + " " + d.id);
    s.dataset.device = d.id;
    for (const c of ["full", "limited", "none"]) {
      const o = el("option", "", w("coverage") + ": " + w(c));
      o.value = c;
      o.selected = c === d.coverage;
      s.append(o);
    }
    s.addEventListener("change", () => run(() => api("POST", "/devices/" + encodeURIComponent(d.id) + "/coverage", { state: s.value })));
    return s;
  }

  /** P's One Number app registers (TS.43 subscribe) or unregisters (unsubscribe, R15) the accessory. */
  function registrationButton(d) {
    const registered = d.state !== "unregistered";
    const b = el("button", "small", w(registered ? "unregister" : "register"));
    b.type = "button";
    b.dataset.act = registered ? "unregister" : "register";
    b.addEventListener("click", () => run(() => api("POST", registered ? "/phone/unregister" : "/phone/register", { accessory: d.imei })));
    return b;
  }

  function deviceCard(d) {
    const card = el("article", "device s-" + d.state);
    card.dataset.device = d.id;
    card.dataset.state = d.state;
    const head = el("div", "head", el("span", "id", d.id), el("span", "name", d.kind === "phone" ? w("Smartphone") : d.name));
    if (d.smsPriority) head.append(el("span", "pill prio", "SMS"));
    card.append(head);
    card.append(el("div", "sub", d.model + " · IMEI …" + d.imeiLast4));
    card.append(el("span", "badge", w(d.state)));
    card.append(el("div", "detail", d.detail.map(w).join(" · ")));
    if (d.state !== "unregistered") card.append(coverageSelect(d));
    if (d.kind === "accessory") card.append(registrationButton(d));
    return card;
  }

  /** One chip per device: "A1: active", with data-device and data-<key> for tests and styles. */
  function chips(items, key, wordPrefix) {
    const row = el("div", "chips");
    for (const it of items) {
      const chip = el("span", "chip " + it[key], it.device + ": " + w(wordPrefix + it[key]));
      chip.dataset.device = it.device;
      chip.dataset[key] = it[key];
      row.append(chip);
    }
    return row;
  }

  function callCard(c) {
    const box = el("article", "call" + (c.emergency ? " emergency" : ""));
    box.dataset.call = c.id;
    const from = c.from === "withheld" ? w("withheld") : c.from;
    box.append(el("div", "parties", from + "  →  " + c.to));
    box.append(el("div", "meta", c.id + " · " + w(c.direction) + " · " + w("call." + c.state) + (c.emergency ? " · 110/118/119" : "")));
    box.append(chips(c.legs, "state", "leg."));
    return box;
  }

  function smsCard(m) {
    const box = el("article", "msg");
    box.dataset.msg = m.id;
    box.append(el("div", "parties", m.from + "  →  " + m.to));
    if (m.text !== null) box.append(el("div", "text", m.text));
    box.append(el("div", "meta", m.id + " · " + new Date(m.at).toISOString().slice(11, 19) + " UTC · " + m.rule));
    box.append(chips(m.deliveries, "status", ""));
    return box;
  }

  // Real time moves between snapshots; virtual time only when the network says so.
  let clock = { mode: "virtual", offset: 0, now: 0 };
  function showClock() {
    const now = clock.mode === "real" ? Date.now() + clock.offset : clock.now;
    $("clock").textContent = new Date(now).toISOString().slice(11, 19) + " UTC" + (clock.mode === "virtual" ? " (virtual)" : "");
  }
  window.setInterval(() => {
    if (clock.mode === "real") showClock();
  }, 1000);

  function render(s) {
    $("number").textContent = s.number;
    $("line").textContent = s.line;
    $("priority").textContent = s.priority;
    clock = { mode: s.time.mode, offset: s.time.now - Date.now(), now: s.time.now };
    showClock();
    $("devices").replaceChildren(...s.devices.map(deviceCard));
    $("calls").replaceChildren(...(s.calls.length ? s.calls.map(callCard) : [el("p", "muted", w("noCalls"))]));
    $("sms").replaceChildren(...(s.sms.length ? s.sms.map(smsCard) : [el("p", "muted", w("noSms"))]));
    const log = $("log");
    log.replaceChildren(...s.log.map((e) => el("li", "k-" + e.kind, e.text)));
    log.scrollTop = log.scrollHeight;
    document.body.dataset.seq = String(s.lastSeq);
  }

  async function run(fn) {
    try {
      showError("");
      await fn();
    } catch (e) {
      showError(e.message);
    }
  }

  const field = (form, name) => document.querySelector('[data-form="' + form + '"] [name="' + name + '"]').value.trim();
  const party = () => "/outside/" + encodeURIComponent(field("party", "party"));
  const ACTIONS = {
    "party-call": () => api("POST", party() + "/call", {}),
    "party-hangup": () => api("POST", party() + "/hangup", {}),
    "party-sms": () => api("POST", party() + "/sms", { text: field("party", "text") }),
    "phone-answer": () => api("POST", "/phone/answer", {}),
    "phone-decline": () => api("POST", "/phone/decline", {}),
    "phone-hangup": () => api("POST", "/phone/hangup", {}),
    "phone-dial": () => api("POST", "/phone/dial", { number: field("phone", "dial") }),
    "phone-off": () => api("POST", "/phone/power", { on: false }),
    "phone-on": () => api("POST", "/phone/power", { on: true }),
    time: (b) => api("POST", "/time", { advanceMs: Number(b.dataset.ms) }),
  };
  for (const b of document.querySelectorAll("button[data-act]")) {
    b.addEventListener("click", () => run(() => ACTIONS[b.dataset.act](b)));
  }
  for (const f of document.querySelectorAll("form.ctl")) f.addEventListener("submit", (e) => e.preventDefault());

  const conn = $("conn");
  function connected(up) {
    conn.className = "dot " + (up ? "live" : "offline");
    conn.textContent = up ? conn.dataset.live : conn.dataset.offline;
  }
  const events = new EventSource("/live/events");
  events.addEventListener("snapshot", (e) => {
    connected(true);
    render(JSON.parse(e.data));
  });
  events.addEventListener("error", () => connected(false));
  window.addEventListener("beforeunload", () => events.close());
})();
