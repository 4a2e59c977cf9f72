/**
 * The firmware's first boot and One Number activation (SPEC R7, R8, R11, R13, R15–R18),
 * with the real firmware on a simulated eSIM modem on the simulated network, and P's
 * companion app registering it through the TS.43 entitlement server.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, type Firmware } from "../../firmware/main.js";
import { ACTIVATION_KEY, type ActivationInfo } from "../../firmware/activation/activation.js";
import { NOT_ACTIVE_MESSAGE, activationStep, initialActivation } from "../../firmware/activation/machine.js";
import { eidFromResponse } from "../../firmware/activation/eid.js";
import { SimModem } from "../../sim/modem/modem.js";
import { ManagementSite, SharedNetwork, type AccessoryPort, type SharedNumber } from "../../sim/network/index.js";
import { Activation, modemLpa } from "../../sim/entitlement/index.js";
import boardsJson from "../../boards.json" with { type: "json" };

const MSISDN = "+819012345678";
const CALLER = "+818011112222";
const EID = "89049032000001000000012345678901";
let imeiSeq = 0;

interface Rig {
  clock: VirtualClock;
  net: SharedNetwork;
  num: SharedNumber;
  act: Activation;
  site: ManagementSite;
  /** Brings up one more accessory with its own firmware. */
  accessory(o?: { profile?: boolean; eid?: string; storage?: MemoryStorage; name?: string }): Acc;
}

interface Acc {
  fw: Firmware;
  modem: SimModem;
  port: AccessoryPort;
  storage: MemoryStorage;
  /** Activation events and registration reports, in the order the firmware had them. */
  seen: { kind: "activation" | "registration"; value: string; info?: ActivationInfo; deniedReportsBefore?: number }[];
  commands: string[];
}

function rig(o: { multiDevice?: boolean } = {}): Rig {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const net = new SharedNetwork({ clock });
  const num = net.createNumber(MSISDN, { multiDevice: o.multiDevice });
  const act = new Activation(net);
  const board = pickBoard(loadBoards(boardsJson), "sim-generic");
  return {
    clock,
    net,
    num,
    act,
    site: new ManagementSite(net),
    accessory(a = {}) {
      const imei = "3569380356" + String(40000 + imeiSeq++).slice(-5);
      const profile = a.profile === true;
      const port = net.portFor(MSISDN, { imei, friendlyName: a.name || "Watch", model: "sim-generic", sms: "native", callWaiting: true, eid: a.eid }, { register: profile });
      const modem = new SimModem({ clock, network: port, identity: { imei, msisdn: MSISDN }, sim: profile ? undefined : { present: false }, eid: a.eid, bootMs: 200 });
      const [dte, dce] = memorySerialPair();
      modem.connect(dce);
      modem.powerOn();
      const storage = a.storage || new MemoryStorage();
      const fw = createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage }, board);
      // Paired with P: its LPA is the modem, and deleting a profile is the firmware's work over AT.
      act.pair(
        modemLpa(modem, port, undefined, (iccid) =>
          fw.api.deleteProfile(iccid).then((r) => {
            if (!r.ok) throw new Error(r.message);
          }),
        ),
      );
      const seen: Acc["seen"] = [];
      // The activation hears each report before this test's listener does: what the test saw
      // of denied reports when the announcement came says which report carried it.
      fw.activation.events.on("activation", (i) =>
        seen.push({ kind: "activation", value: i.state, info: i, deniedReportsBefore: seen.filter((x) => x.kind === "registration" && x.value === "denied").length }),
      );
      fw.modem.events.on("registration", (r) => seen.push({ kind: "registration", value: r.stat }));
      const commands: string[] = [];
      fw.channel.events.on("tx", (b) => {
        if (b.endsWith("\r")) commands.push(b.slice(0, -1));
      });
      fw.start();
      return { fw, modem, port, storage, seen, commands };
    },
  };
}

test("R7: first boot without a profile says how to register, with the IMEI and the EID read from the eUICC", async (t) => {
  const r = rig();
  const a = r.accessory({ eid: EID });
  await r.clock.advance(10000);
  const s = a.fw.activation.status();
  t.is(s.state, "noProfile");
  t.is(s.imei, a.modem.identity.imei);
  t.is(s.eid, EID);
  t.regex(s.message, new RegExp("register this accessory with IMEI " + s.imei + " and EID " + EID));
  t.true(a.commands.indexOf('AT+CCHO="A0000005591010FFFFFFFF8900000100"') >= 0, "EID over a logical channel to the ISD-R (27.007 +CCHO)");
  t.true(a.commands.some((c) => /^AT\+CGLA=1,24,"81E2910006BF3E035C015A00"$/.test(c)), "ES10c.GetEID as STORE DATA (+CGLA)");
  t.true(a.commands.indexOf("AT+CCHC=1") >= 0, "the channel is closed again");
  t.false(a.fw.activation.usable());
});

test("R7: without an eUICC the message gives the IMEI alone", async (t) => {
  const r = rig();
  const a = r.accessory();
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().eid, "");
  t.regex(a.fw.activation.status().message, /with IMEI \d{15}\.$/);
});

test("R8 R11: registered from the smartphone, the firmware goes from no profile to active, keeps the data, and takes a call", async (t) => {
  const r = rig();
  const a = r.accessory({ eid: EID });
  await r.clock.advance(10000);
  const out = r.act.register(MSISDN, "Watch");
  t.like(out, { ok: true, subscriptionResult: 2, downloaded: true });
  await r.clock.advance(10000);
  const s = a.fw.activation.status();
  t.is(s.state, "active");
  t.is(s.iccid, out.iccid!);
  t.is(s.message, "One Number is active on this device");
  t.true(a.fw.activation.usable());
  const stored = JSON.parse((await a.storage.read(ACTIVATION_KEY))!);
  t.like(stored, { iccid: out.iccid, imei: a.modem.identity.imei, eid: EID, activeSince: s.activeSince });
  let rang = false;
  a.fw.line.events.on("incoming", () => (rang = true));
  r.net.outside(CALLER).call(MSISDN);
  await r.clock.advance(1000);
  t.true(rang);
});

test("R18: registration denied: 'One Number is not active on this device' within one registration report", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
  // What a person is told: the firmware's log lines and the service sentence (R18).
  const logs: string[] = [];
  a.fw.events.on("log", (l) => logs.push(l));
  a.fw.api.events.on("service", (s) => logs.push(s.message));
  const from = a.seen.length;
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  const after = a.seen.slice(from);
  t.true(after.some((x) => x.kind === "registration" && x.value === "denied"), "the network's report came");
  const shown = after.filter((x) => x.kind === "activation" && x.value === "notActive");
  t.is(shown.length, 1, "shown once");
  t.is(shown[0].deniedReportsBefore, 0, "shown while the first denied report was being handled, not after a second one");
  t.is(a.fw.activation.status().message, NOT_ACTIVE_MESSAGE);
  t.is(a.fw.activation.status().deniedBy, "network");
  t.is(logs.filter((l) => l === NOT_ACTIVE_MESSAGE).length, 1, "told once, not once per part that noticed");
  t.false(a.fw.activation.usable());
});

test("R15 R17: ending One Number reaches the firmware by the network as the same message", async (t) => {
  const r = rig({ multiDevice: true });
  const a = r.accessory({ profile: true, name: "Watch" });
  const b = r.accessory({ profile: true, name: "Car" });
  await r.clock.advance(10000);
  r.site.endOneNumber(MSISDN);
  await r.clock.advance(2000);
  t.is(a.fw.activation.status().state, "notActive");
  t.is(b.fw.activation.status().state, "notActive");
});

test("R13: registering the same accessory again changes nothing, on the network and in the firmware's storage", async (t) => {
  const r = rig();
  const a = r.accessory();
  await r.clock.advance(10000);
  r.act.register(MSISDN, "Watch");
  await r.clock.advance(10000);
  const before = await a.storage.read(ACTIVATION_KEY);
  const events = a.seen.length;
  const again = r.act.register(MSISDN, "Watch");
  t.like(again, { ok: true, subscriptionResult: 3, downloaded: false });
  await r.clock.advance(10000);
  t.is(await a.storage.read(ACTIVATION_KEY), before);
  t.is(a.seen.length, events, "no report, no announcement");
  t.is(r.num.accessories().length, 1);
});

test("R7: the registration data survives a restart of the firmware", async (t) => {
  const r = rig();
  const storage = new MemoryStorage();
  const a = r.accessory({ storage });
  await r.clock.advance(10000);
  r.act.register(MSISDN, "Watch");
  await r.clock.advance(10000);
  const since = a.fw.activation.status().activeSince;
  a.fw.stop();
  await r.clock.advance(60000);
  const fw2 = createFirmware({ serial: memorySerialPair()[0], clock: r.clock, pins: new MemoryPins(r.clock), storage }, pickBoard(loadBoards(boardsJson), "sim-generic"));
  fw2.start();
  await r.clock.advance(10);
  t.is(fw2.activation.status().activeSince, since, "read back from storage");
  t.is(fw2.activation.status().imei, a.modem.identity.imei);
  fw2.stop();
});

test("R12: the accessory over the limit stays without a profile and keeps saying how to register", async (t) => {
  const r = rig();
  r.accessory({ name: "Watch" });
  const car = r.accessory({ name: "Car" });
  await r.clock.advance(10000);
  t.like(r.act.register(MSISDN, "Watch"), { ok: true });
  const refused = r.act.register(MSISDN, "Car");
  t.like(refused, { ok: false, subscriptionResult: 5 });
  t.regex(refused.message, /Only one accessory can share/);
  await r.clock.advance(10000);
  t.is(car.fw.activation.status().state, "noProfile");
});

test("R18: the companion link's management command ends activation at once (the hook for MQTT)", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  await r.clock.advance(10000);
  a.fw.activation.unregistered();
  t.is(a.fw.activation.status().state, "notActive");
  t.is(a.fw.activation.status().deniedBy, "management");
  // The network's report that follows does not announce it a second time.
  const n = a.seen.filter((x) => x.kind === "activation").length;
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.is(a.seen.filter((x) => x.kind === "activation").length, n);
});

test("R18: the machine: out of coverage is not a change of activation; a new profile is checked again", (t) => {
  let s = activationStep(initialActivation, { type: "identified", imei: "356938035643809", iccid: "8981100000000000017", eid: "" }).state;
  t.is(s.name, "checking");
  s = activationStep(s, { type: "service", state: "active", by: "network", at: 5 }).state;
  t.is(s.name, "active");
  t.is(s.record.activeSince, 5);
  const r = activationStep(s, { type: "service", state: "limited", by: "network", at: 6 });
  t.is(r.state, s);
  t.deepEqual(r.effects, []);
  s = activationStep(s, { type: "service", state: "notActive", by: "network", at: 7 }).state;
  t.is(s.name, "notActive");
  s = activationStep(s, { type: "identified", imei: "", iccid: "8981100000000000025", eid: "" }).state;
  t.is(s.name, "checking", "another profile");
  t.is(eidFromResponse("BF3E125A10" + EID + "9000"), EID);
  t.is(eidFromResponse("6D00"), "");
});

test("R18/R55: through the firmware API: status, snapshot and events carry activation; calls and SMS are refused while not active, and an emergency call says it is unavailable here", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  const events: string[] = [];
  a.fw.api.onAny((name, data) => {
    if (name === "activation") events.push((data as ActivationInfo).state);
  });
  await r.clock.advance(10000);
  t.is(a.fw.api.snapshot().activation, "active");
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.deepEqual(events.slice(-1), ["notActive"]);
  t.is(a.fw.api.snapshot().activation, "notActive");
  const st = await a.fw.api.status();
  t.like(st, { ok: true, activation: { state: "notActive", message: NOT_ACTIVE_MESSAGE } });
  const dial = a.fw.api.dial("0312345678");
  await r.clock.advance(1000);
  t.deepEqual(await dial, { ok: false, reason: "notActive", message: NOT_ACTIVE_MESSAGE });
  t.like(await a.fw.api.sendSms("+818011112222", "hello"), { ok: false, reason: "notActive" });
  // R55: the unsubscribed profile is deactivated (ServiceStatus 3), and Japan allows no
  // emergency call without a valid subscription: the user is told so, nothing is dialled.
  const sos = a.fw.api.dial("110");
  await r.clock.advance(3000);
  t.regex((await sos as { message?: string }).message || "", /emergency calls are unavailable on this device/);
  t.is(a.commands.indexOf("ATD110;"), -1);
});

test("R7: before registration the API refuses a call with the first-boot sentence; the management command goes through the API", async (t) => {
  const r = rig();
  const fresh = r.accessory();
  const known = r.accessory({ profile: true, name: "Car" });
  await r.clock.advance(10000);
  const dial = fresh.fw.api.dial("0312345678");
  await r.clock.advance(1000);
  t.like(await dial, { ok: false, reason: "noProfile" });
  t.regex(((await dial) as { message: string }).message, /register this accessory with IMEI/);
  t.like(await known.fw.api.managementUnregistered(), { ok: true, activation: { state: "notActive", deniedBy: "management" } });
});

/** What a person is told about One Number, from every channel the firmware has: the service sentence, the log, the activation event's words. */
function toldOf(a: Acc): string[] {
  const told: string[] = [];
  a.fw.api.onAny((name, data) => {
    const d = data as { message?: string; text?: string; said?: string };
    if (name === "service" && d.message) told.push(d.message);
    if (name === "log" && d.text) told.push(d.text);
    if (name === "activation" && d.said) told.push(d.said);
  });
  return told;
}

test("R18: both sources, management command first then the network's denial: the sentence is said once", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  await r.clock.advance(10000);
  const told = toldOf(a);
  t.like(await a.fw.api.managementUnregistered(), { ok: true, activation: { state: "notActive", deniedBy: "management" } });
  t.like(await a.fw.api.status(), { ok: true, service: { state: "notActive", by: "management" } });
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.true(a.seen.some((x) => x.kind === "registration" && x.value === "denied"), "the network's report came too");
  t.deepEqual(told.filter((l) => /One Number/.test(l)), [NOT_ACTIVE_MESSAGE]);
  t.is(a.fw.activation.status().deniedBy, "management");
});

test("R18: both sources, the network's denial first then the management command: the sentence is said once", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  await r.clock.advance(10000);
  const told = toldOf(a);
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  await a.fw.api.managementUnregistered();
  await r.clock.advance(2000);
  t.deepEqual(told.filter((l) => /One Number/.test(l)), [NOT_ACTIVE_MESSAGE]);
  t.is(a.fw.activation.status().deniedBy, "network");
});

test("R18: after the management command, registering again makes it active again (once the network had dropped it); coverage loss alone does not", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true });
  await r.clock.advance(10000);
  const told = toldOf(a);
  await a.fw.api.managementUnregistered();
  a.port.setCoverage("none");
  await r.clock.advance(2000);
  a.port.setCoverage("full");
  await r.clock.advance(5000);
  t.is(a.fw.activation.status().state, "notActive", "back in coverage is not re-registration");
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.like(r.act.register(MSISDN, "Watch"), { ok: true });
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
  t.deepEqual(told.filter((l) => /One Number is/.test(l)), [NOT_ACTIVE_MESSAGE, "One Number is active on this device"]);
});

test("R8 R10: SubscriptionResult 8: an accessory without a friendly name needs the user's input; with it, the registration goes on", async (t) => {
  const r = rig();
  const a = r.accessory();
  // Paired without a name (its Bluetooth name was empty): P's app has none to send.
  const lpa = modemLpa(a.modem, a.port);
  r.act.pair({ ...lpa, terminal: () => ({ ...lpa.terminal(), friendlyName: "" }) });
  await r.clock.advance(10000);
  const first = r.act.register(MSISDN, a.modem.identity.imei);
  t.like(first, { ok: false, subscriptionResult: 8, userInput: "companion_terminal_friendly_name", downloaded: false });
  t.regex(first.message, /give this accessory a name/);
  t.is(r.act.registrations(MSISDN)[0].state, "unregistered", "nothing was subscribed");
  const named = r.act.register(MSISDN, a.modem.identity.imei, { friendlyName: "Car" });
  t.like(named, { ok: true, subscriptionResult: 2, downloaded: true });
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
  t.is(r.act.registrations(MSISDN)[0].friendlyName, "Car");
});

test("R8 R10: SubscriptionResult 1: new terms are accepted on the site first (websheet); P's app asks again and gets the profile", async (t) => {
  const r = rig();
  const a = r.accessory();
  await r.clock.advance(10000);
  r.act.service.publishTerms(2, "One Number terms, version 2");
  const later: number[] = [];
  r.act.events.on("outcome", (o) => later.push(o.subscriptionResult || 0));
  const first = r.act.register(MSISDN, "Watch");
  t.like(first, { ok: true, subscriptionResult: 1, pending: "websheet", websheetUrl: "/manage/terms", retryInSec: 30, downloaded: false });
  await r.clock.advance(65000);
  t.deepEqual(later, [1, 1], "the app asked again every 30 s");
  t.is(a.fw.activation.status().state, "noProfile");
  t.regex(r.act.registrations(MSISDN)[0].progress, /terms to be accepted on the management site/);
  r.act.service.acceptTerms(MSISDN, 2);
  await r.clock.advance(30000);
  t.deepEqual(later, [1, 1, 2]);
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
  t.is(r.act.registrations(MSISDN)[0].progress, "");
  t.is(r.act.service.termsPending(MSISDN), undefined);
});

test("R8 R10: SubscriptionResult 4: a busy SM-DP+ delays the download; P's app asks again after PollingInterval on the network's clock", async (t) => {
  const r = rig();
  const a = r.accessory();
  await r.clock.advance(10000);
  r.act.smdp.preparationMs = 90000;
  const first = r.act.register(MSISDN, "Watch");
  t.like(first, { ok: true, subscriptionResult: 4, pending: "delayed", retryInSec: 90, serviceStatus: 2 });
  t.is(r.act.registrations(MSISDN)[0].state, "activating");
  t.regex(r.act.registrations(MSISDN)[0].progress, /SM-DP\+ is preparing the profile/);
  await r.clock.advance(89000);
  t.is(a.fw.activation.status().state, "noProfile", "nothing downloaded before the interval");
  const done = new Promise<{ subscriptionResult?: number; downloaded: boolean }>((res) => r.act.events.on("outcome", res));
  await r.clock.advance(2000);
  t.like(await done, { subscriptionResult: 2, downloaded: true });
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
});

test("R8 R10: SubscriptionResult 6: the profile in use may not be reused (ServiceStatus 4); the firmware deletes it over AT and the flow goes on with a new one", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true, eid: EID });
  await r.clock.advance(10000);
  const old = a.modem.identity.iccid;
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.is(a.fw.activation.status().state, "notActive");
  // The operator retired that profile (it belonged to the contract that ended).
  r.act.smdp.retire(old, MSISDN);
  const said: string[] = [];
  a.fw.api.onAny((name, d) => {
    if (name === "log") said.push((d as { text: string }).text);
  });
  const later = new Promise<{ subscriptionResult?: number; downloaded: boolean; iccid?: string }>((res) => r.act.events.on("outcome", res));
  const first = r.act.register(MSISDN, "Watch");
  t.like(first, { ok: true, subscriptionResult: 6, serviceStatus: 4, iccid: old, pending: "deleting" });
  await r.clock.advance(20000);
  const next = await later;
  t.like(next, { subscriptionResult: 2, downloaded: true });
  t.not(next.iccid, old, "a new profile, not the retired one");
  t.true(a.commands.some((c) => /^AT\+CGLA=1,\d+,"81E2910014BF3211A00C5A0A[0-9A-F]{20}01010000"$/.test(c)), "ES10c.DisableProfile");
  t.true(a.commands.some((c) => /^AT\+CGLA=1,\d+,"81E291000FBF330C5A0A[0-9A-F]{20}00"$/.test(c)), "ES10c.DeleteProfile");
  t.true(said.some((l) => l.indexOf("profile " + old + " deleted") >= 0));
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
  t.is(a.fw.activation.status().iccid, next.iccid!);
});

test("R8 R10: SubscriptionResult 7: a profile lost from the accessory (factory reset) is downloaded again, the same ICCID", async (t) => {
  const r = rig();
  const a = r.accessory();
  await r.clock.advance(10000);
  const first = r.act.register(MSISDN, "Watch");
  await r.clock.advance(10000);
  r.act.unregister(MSISDN, "Watch");
  await r.clock.advance(2000);
  t.true(a.modem.deleteProfile(first.iccid!), "the factory reset wiped the eUICC");
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "noProfile");
  const again = r.act.register(MSISDN, "Watch");
  t.like(again, { ok: true, subscriptionResult: 7, downloaded: true, iccid: first.iccid });
  await r.clock.advance(10000);
  t.is(a.fw.activation.status().state, "active");
});

test("R8: the firmware's profile deletion refuses what the eUICC does not hold, and bad input", async (t) => {
  const r = rig();
  const a = r.accessory({ profile: true, eid: EID });
  await r.clock.advance(10000);
  t.like(await a.fw.api.deleteProfile("12"), { ok: false, reason: "usage" });
  const p = a.fw.api.deleteProfile("8981100000000000017");
  await r.clock.advance(2000);
  t.like(await p, { ok: false, reason: "notFound" });
  t.is(a.fw.activation.status().state, "active", "the profile in use is untouched");
});

test("R7: a call asked for during the first bring-up gets the first-boot sentence, not the PIN's; the modem state says there is no SIM", async (t) => {
  const r = rig();
  const fresh = r.accessory();
  const states: string[] = [];
  fresh.fw.api.onAny((name, data) => {
    if (name === "modemState") states.push((data as { name: string }).name);
  });
  // Asked at once: the answer comes the moment bring-up stops at the SIM.
  const dial = fresh.fw.api.dial("0312345678");
  const waited = fresh.fw.api.waitReady();
  await r.clock.advance(10000);
  t.like(await dial, { ok: false, reason: "noProfile" });
  t.regex(((await dial) as { message: string }).message, /^One Number is not set up on this device/);
  t.like(await waited, { ok: false, reason: "noProfile" });
  t.is(states.indexOf("simLocked"), -1, "SIM not inserted (+CME ERROR: 10) is no locked SIM");
  t.is(fresh.fw.api.snapshot().modem, "noSim");
  t.like(await fresh.fw.api.pin("1234"), { ok: false, reason: "pinNotNeeded" });
});
