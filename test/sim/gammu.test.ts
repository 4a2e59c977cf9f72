/**
 * The real gammu (1.42, Debian's package) against the simulated modem on a
 * pseudo-terminal, served in this process as `sharedline sim --pty` serves it: gammu
 * must identify the modem, read network and SIM state, read stored SMS (7-bit, Japanese
 * UCS2, a 2-part concatenated one) and send SMS (7-bit, Japanese, a 400-character
 * concatenated one) that the network receives with the right text.
 *
 * Without gammu these tests are skipped with the reason; .ci/run installs it and sets
 * SHAREDLINE_REQUIRE_TOOLS=1, which makes its absence a failure.
 */
import test, { ExecutionContext } from "ava";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../../hal/node/clock.js";
import { SimModem, SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { servePty } from "../../sim/modem/transports.js";
import { REC_READ, REC_UNREAD } from "../../sim/modem/sms-store.js";
import { encodeDeliverParts } from "../../sim/pdu/concat.js";
import { joinAtPdu } from "../../sim/pdu/tpdu.js";
import { haveTool } from "../support/tools.js";
import { DEFAULT_USSD_ANSWER, parseSimArgs, startSim as serveSim, type SimOptions, type SimServer } from "../../cli/sim.js";

const haveGammu = haveTool("gammu", "the real outside client the simulated modem is checked against");

const STORED = {
  plain: "Hello from the sim: @ £ € {ok}",
  japanese: "こんにちは、シミュレータです。今日はいい天気ですね。",
  long: Array.from({ length: 6 }, (_, i) => `Stored long message, sentence ${i + 1}.`).join(" ") + " The end.",
};

interface Sim {
  modem: SimModem;
  net: NetworkStub;
  rc: string;
  close(): Promise<void>;
}

async function startSim(opts: Partial<SimModemOptions> = {}): Promise<Sim> {
  const net = new NetworkStub({ clock: systemClock, ussd: { "*100#": { status: 0, text: "Your balance is 1234 yen", dcs: 15 } } });
  const modem = new SimModem({
    clock: systemClock,
    network: net,
    identity: { manufacturer: "ACME Wireless", model: "AW-LTE9", revision: "AW9.1.2" },
    ...opts,
  });
  const scts = { time: Date.UTC(2026, 0, 2, 3, 4, 5), tzQuarters: 36 };
  const sm = modem.store.mem("SM")!;
  sm.put(REC_UNREAD, joinAtPdu(modem.smsc, encodeDeliverParts({ from: "+819011112222", text: STORED.plain, scts }, 1)[0]));
  sm.put(REC_READ, joinAtPdu(modem.smsc, encodeDeliverParts({ from: "+819033334444", text: STORED.japanese, scts }, 2)[0]));
  for (const part of encodeDeliverParts({ from: "+819055556666", text: STORED.long, scts }, 0xb0)) sm.put(REC_READ, joinAtPdu(modem.smsc, part));
  modem.powerOn(false);
  const served = await servePty(modem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-gammu-"));
  const rc = path.join(dir, "gammurc");
  fs.writeFileSync(rc, "[gammu]\ndevice = " + served.path + "\nconnection = at\n");
  return {
    modem,
    net,
    rc,
    close: async () => {
      await served.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs gammu with the sim's gammurc; the sim keeps serving meanwhile (gammu runs in a child process). */
function gammu(sim: { rc: string }, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      "gammu",
      ["-c", sim.rc, ...args],
      { timeout: 90000, env: { ...process.env, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, out: stdout + stderr });
      },
    );
  });
}

let shared: Sim | undefined = undefined;
async function sim(t: ExecutionContext): Promise<Sim> {
  t.timeout(180000);
  if (!shared) shared = await startSim();
  return shared;
}

test.after.always(async () => {
  if (shared) await shared.close();
});

const gammuTest = haveGammu ? test.serial : test.serial.skip;

gammuTest("gammu identify: manufacturer, model, firmware, IMEI and IMSI", async (t) => {
  const s = await sim(t);
  const r = await gammu(s, "identify");
  t.is(r.code, 0, r.out);
  t.regex(r.out, /Manufacturer\s*: ACME Wireless\n/);
  t.regex(r.out, /Model\s*: .*AW-LTE9/);
  t.regex(r.out, /Firmware\s*: AW9\.1\.2\n/);
  t.regex(r.out, /IMEI\s*: 356938035643809\n/);
  t.regex(r.out, /SIM IMSI\s*: 440101234567890\n/);
  t.deepEqual(s.modem.internalErrors, []);
});

gammuTest("gammu networkinfo: home network with LAC/CID and name, then roaming", async (t) => {
  const s = await sim(t);
  const r = await gammu(s, "networkinfo");
  t.is(r.code, 0, r.out);
  t.regex(r.out, /Network state\s*: home network\n/);
  t.regex(r.out, /Network\s*: 440 10 .*LAC 1A2B, CID 001B2C3D/);
  t.regex(r.out, /Name in phone\s*: "SIM NETWORK"/);
  t.regex(r.out, /GPRS\s*: attached/);
  s.net.setRegistration("roaming");
  const again = await gammu(s, "networkinfo");
  t.regex(again.out, /Network state\s*: roaming network\n/);
  s.net.setRegistration("home");
});

gammuTest("gammu getsecuritystatus: nothing to enter; a PIN-locked SIM waits for the PIN until entersecuritycode", async (t) => {
  const s = await sim(t);
  const r = await gammu(s, "getsecuritystatus");
  t.is(r.code, 0, r.out);
  t.regex(r.out, /Nothing to enter\./);
  const locked = await startSim({ sim: { pin: "2468" } });
  try {
    t.regex((await gammu(locked, "getsecuritystatus")).out, /Waiting for PIN\./);
    t.is((await gammu(locked, "entersecuritycode", "PIN", "2468")).code, 0);
    t.regex((await gammu(locked, "getsecuritystatus")).out, /Nothing to enter\./);
    t.true(locked.net.attached, "unlocked, the modem registers");
  } finally {
    await locked.close();
  }
});

gammuTest("gammu getallsms: stored 7-bit, Japanese UCS2 and both parts of a concatenated message", async (t) => {
  const s = await sim(t);
  const r = await gammu(s, "getallsms");
  t.is(r.code, 0, r.out);
  t.true(r.out.includes(STORED.plain), r.out);
  t.true(r.out.includes(STORED.japanese), r.out);
  t.regex(r.out, /Remote number\s*: "\+819033334444"/);
  t.regex(r.out, /Coding\s*: Unicode/);
  t.regex(r.out, /Concatenated \(linked\) message, ID \(8 bit\) 176, part 1 of 2/);
  t.regex(r.out, /Concatenated \(linked\) message, ID \(8 bit\) 176, part 2 of 2/);
  t.regex(r.out, /4 SMS parts in 4 SMS sequences/);
});

gammuTest("gammu geteachsms: the concatenated message comes back joined", async (t) => {
  const s = await sim(t);
  const r = await gammu(s, "geteachsms");
  t.is(r.code, 0, r.out);
  t.true(r.out.includes(STORED.long), r.out);
  t.regex(r.out, /4 SMS parts in 3 SMS sequences/);
});

gammuTest("gammu sendsms TEXT -text: the network receives the text, numbered by the modem", async (t) => {
  const s = await sim(t);
  const before = s.net.sent.length;
  const r = await gammu(s, "sendsms", "TEXT", "+819087654321", "-text", "Hello from gammu");
  t.is(r.code, 0, r.out);
  const sent = s.net.sent.slice(before);
  t.is(sent.length, 1);
  t.like(sent[0], { to: "+819087654321", text: "Hello from gammu", alphabet: "gsm7" });
  t.regex(r.out, new RegExp("message reference=" + sent[0].messageRef));
});

gammuTest("gammu sendsms -unicode: Japanese arrives as UCS2, one part and two parts", async (t) => {
  const s = await sim(t);
  const before = s.net.sent.length;
  const short = "こんにちは、世界。ガンムからのテストです。";
  t.is((await gammu(s, "sendsms", "TEXT", "+819087654321", "-unicode", "-textutf8", short)).code, 0);
  const long = "日本語の長いメッセージです。これは連結SMSとしてUCS2で送られるはずです。七十文字を超えると分割されます。もう少し文章を足して、確実に二通以上になるようにします。";
  t.true(long.length > 70);
  const r = await gammu(s, "sendsms", "TEXT", "+819087654321", "-unicode", "-len", "200", "-textutf8", long);
  t.is(r.code, 0, r.out);
  const sent = s.net.sent.slice(before);
  t.deepEqual(
    sent.map((m) => [m.alphabet, m.concat ? m.concat.seq + "/" + m.concat.total : "-"]),
    [
      ["ucs2", "-"],
      ["ucs2", "1/2"],
      ["ucs2", "2/2"],
    ],
  );
  const msgs = s.net.sentMessages();
  t.deepEqual(
    msgs.slice(-2).map((m) => [m.text, m.complete]),
    [
      [short, true],
      [long, true],
    ],
  );
});

gammuTest("gammu sendsms -len 400: a 443-character 7-bit text goes as three concatenated parts and reassembles", async (t) => {
  const s = await sim(t);
  const before = s.net.sent.length;
  const text = Array.from({ length: 12 }, (_, i) => `Part of a long message, sentence ${String(i + 1).padStart(2, "0")}.`).join(" ");
  t.is(text.length, 443);
  const r = await gammu(s, "sendsms", "TEXT", "+819087654321", "-len", "400", "-text", text);
  t.is(r.code, 0, r.out);
  const sent = s.net.sent.slice(before);
  t.is(sent.length, 3);
  t.true(sent.every((p) => p.concat !== undefined && p.concat.total === 3 && p.concat.ref === sent[0].concat!.ref));
  const joined = s.net.sentMessages().slice(-1)[0];
  t.true(joined.complete);
  t.is(joined.text, text);
});

gammuTest("gammu getussd and dialvoice reach the network", async (t) => {
  const s = await sim(t);
  const u = await gammu(s, "getussd", "*100#");
  t.is(u.code, 0, u.out);
  t.regex(u.out, /Service reply\s*: "Your balance is 1234 yen"/);
  const d = await gammu(s, "dialvoice", "+819012345678");
  t.is(d.code, 0, d.out);
  t.true(s.net.calls.some((c) => c.number === "+819012345678" && c.dir === "mo"));
  t.deepEqual(s.modem.internalErrors, []);
});

// ---- gammu against `sharedline sim --pty` as served, with its defaults (issue 14 §2) ----

let servedSim: { sim: SimServer; rc: string; dir: string } | undefined = undefined;
async function defaultSim(t: ExecutionContext): Promise<{ sim: SimServer; rc: string; dir: string }> {
  t.timeout(180000);
  if (!servedSim) {
    const sim = await serveSim(parseSimArgs(["--pty", "--quiet"]) as SimOptions, () => undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-gammu-sim-"));
    const rc = path.join(dir, "gammurc");
    fs.writeFileSync(rc, "[gammu]\ndevice = " + sim.where + "\nconnection = at\n");
    servedSim = { sim, rc, dir };
  }
  return servedSim;
}

test.after.always(async () => {
  if (!servedSim) return;
  await servedSim.sim.close();
  fs.rmSync(servedSim.dir, { recursive: true, force: true });
});

gammuTest("sharedline sim defaults: gammu getussd gets the network's default USSD answer", async (t) => {
  const s = await defaultSim(t);
  const r = await gammu(s, "getussd", "*100#");
  t.is(r.code, 0, r.out);
  t.regex(r.out, new RegExp('Service reply\\s*: "' + DEFAULT_USSD_ANSWER + '"'));
});

gammuTest("sharedline sim defaults: gammu dialvoice places a call the outside party answers; cancelcall ends it", async (t) => {
  const s = await defaultSim(t);
  const party = s.sim.server.net.outside("+81311112222");
  const d = await gammu(s, "dialvoice", "+81311112222");
  t.is(d.code, 0, d.out);
  // The party answers after the default delay (3 s); the accessory's call is then active.
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline && !(party.lastCall && party.lastCall.state === "active")) await new Promise((r) => setTimeout(r, 100));
  t.is(party.lastCall && party.lastCall.state, "active");
  t.is(party.lastCall!.peer, "+819012345678", "the call comes from the shared number");
  const c = await gammu(s, "cancelcall");
  t.is(c.code, 0, c.out);
  const until = Date.now() + 10000;
  while (Date.now() < until && party.lastCall!.state !== "released") await new Promise((r) => setTimeout(r, 100));
  t.is(party.lastCall!.state, "released");
  t.deepEqual(s.sim.modem.internalErrors, []);
});
