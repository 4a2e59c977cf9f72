/**
 * What the accessory does when its activation changes (activation.ts holds the state):
 * runs machine.ts's step on each event and carries out the effects (the announcement,
 * the stored record, the identity reads), reads the stored record at start, and asks the
 * SIM whether there is a profile at all when bring-up stops at it.
 *
 * Plain functions over the `Activation` object, so that on the watch this is a cold part
 * (tools/bundle.ts COLD_MODULES): loaded from Storage when something happens, which is
 * at bring-up and when activation begins or ends, and dropped again.
 *
 * Portable (Espruino): no Node built-ins, Promise chains only.
 */
import { readEid } from "./eid.js";
import { activationMessage, activationStep, emptyRecord, type ActivationRecord } from "./machine.js";
import { ACTIVATION_KEY, activationInfo, type Activation, type ActivationInput } from "./activation.js";

/** The IMEI in a +CGSN answer (27.007 §5.4: bare digits, or `+CGSN: "<imei>"`). */
export function imeiOf(line: string): string {
  const m = /([0-9]+)/.exec(line);
  return m && m[1].length >= 14 && m[1].length <= 17 ? m[1] : "";
}

function parseRecord(text: string | undefined): ActivationRecord | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return undefined;
  }
  const o = v as { [k: string]: unknown };
  if (!o || typeof o !== "object" || typeof o.iccid !== "string" || typeof o.imei !== "string" || typeof o.activeSince !== "number") return undefined;
  const r = emptyRecord();
  r.iccid = o.iccid;
  r.imei = o.imei;
  r.eid = typeof o.eid === "string" ? o.eid : "";
  r.activeSince = o.activeSince;
  r.deniedAt = typeof o.deniedAt === "number" ? o.deniedAt : 0;
  return r;
}

/** activationPost, handed to the steps that post an event later (after a read or a command). */
type Post = (a: Activation, e: ActivationInput) => void;

function log(a: Activation, text: string): void {
  a.log.emit("log", text);
}

/** The record read from storage at start: taken unless the modem said something meanwhile. */
function restore(a: Activation, text: string, post: Post): void {
  const r = parseRecord(text);
  // What the modem said meanwhile is newer than what storage remembers.
  if (r && a.state.record.imei === "" && a.state.record.activeSince === 0) post(a, { type: "restored", record: r });
}

function announce(a: Activation, before: Activation["state"]): void {
  const s = a.state;
  const name = s.name;
  // No profile: said once, when the IMEI and EID reads are done (finishIdentity).
  if (name === "noProfile" && a.reading) return;
  // News to a person: how to register, and a profile that was not there before. Each
  // boot's "checking" of the same profile, and active / not active (the service
  // event's sentences), are not said here.
  const fresh = name === "checking" && s.profile !== "" && (before.name === "noProfile" || (before.profile !== "" && before.profile !== s.profile));
  const said = name !== before.name && (name === "noProfile" || fresh) ? activationMessage(s) : "";
  a.events.emit("activation", activationInfo(s, said));
}

function store(a: Activation): void {
  const storage = a.storage;
  if (!storage) return;
  const text = JSON.stringify(a.state.record);
  // One write at a time, in order: the last state is the one kept. Once the last write
  // is done the chain is dropped (it held this module's functions in the watch's heap).
  const w: Promise<void> = (a.writing || Promise.resolve()).then(function () {
    return storage.write(ACTIVATION_KEY, text).then(
      function () {
        if (a.writing === w) delete a.writing;
      },
      function (e: unknown) {
        if (a.writing === w) delete a.writing;
        log(a, "activation: cannot store the registration data: " + String(e));
      },
    );
  });
  a.writing = w;
}

/** The identity reads are done: the no-profile message can now say what to give the app. */
function finishIdentity(a: Activation): void {
  delete a.reading;
  if (a.state.name !== "noProfile" || a.stopped) return;
  a.events.emit("activation", activationInfo(a.state, activationMessage(a.state)));
}

function readIdentity(a: Activation, post: Post): void {
  a.reading = true;
  a.channel
    .send({ cmd: "AT+CGSN" })
    .then(
      function (r) {
        const imei = imeiOf(r.lines.join(" "));
        if (imei) post(a, { type: "identified", imei: imei, iccid: "", eid: a.eid || "" });
      },
      function () {
        // Without the IMEI the message points to the label on the device instead.
      },
    )
    .then(function () {
      return a.eid || readEid(a.channel);
    })
    .then(function (eid) {
      if (eid && eid !== a.eid) {
        a.eid = eid;
        post(a, { type: "identified", imei: "", iccid: "", eid: eid });
      }
      finishIdentity(a);
    });
}

function handle(a: Activation, e: ActivationInput, post: Post): void {
  if (a.stopped) return;
  if (e.type === "stored") return restore(a, e.text, post);
  if (e.type === "unreadable") return log(a, "activation: cannot read the stored registration data: " + String(e.error));
  const before = a.state;
  const r = activationStep(before, e);
  a.state = r.state;
  for (let i = 0; i < r.effects.length; i++) {
    const fx = r.effects[i];
    if (fx.type === "store") store(a);
    else if (fx.type === "readIdentity") readIdentity(a, post);
    else announce(a, before);
  }
}

/**
 * Hands `e` to the activation: events posted while one is being handled (from a listener
 * of the announcement) wait their turn, in order.
 */
export function activationPost(a: Activation, e: ActivationInput): void {
  if (a.stopped) return;
  if (a.queue) {
    a.queue.push(e);
    return;
  }
  const queue = [e];
  a.queue = queue;
  try {
    while (queue.length > 0) handle(a, queue.shift()!, activationPost);
  } finally {
    delete a.queue;
  }
}
