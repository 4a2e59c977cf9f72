/**
 * The data session on a scripted Quectel modem, byte for byte (virtual clock): the
 * activation script, a context already active taken as is, `+CGEV` and `pdpdeact`
 * answered with a jittered re-activation that deactivates first, and unregistration
 * (`+CEREG: 3`) stopping data (R15, R18).
 */
import test from "ava";
import { Emitter } from "../../hal/emitter.js";
import type { Registration } from "../../drivers/modems/index.js";
import { quectelPacket } from "../../drivers/modems/packet.js";
import { quectelSockets } from "../../drivers/modems/sockets.js";
import type { ModemState } from "../../firmware/modem/machine.js";
import { DataSession, defaultDataPolicy } from "../../firmware/data/session.js";
import { channelRig } from "../support/fake-modem.js";

const OK = "\r\nOK\r\n";

function session(random: number) {
  const r = channelRig();
  const events = new Emitter<{ state: ModemState; registration: Registration }>();
  const resets: string[] = [];
  const s = new DataSession(
    r.channel,
    r.clock,
    { events, resetModem: (why) => resets.push(why) },
    quectelPacket,
    quectelSockets,
    { apn: "spmode.ne.jp", context: 1, healthyAfterMs: 60000 },
    Object.assign({}, defaultDataPolicy, { random: () => random }),
  );
  const ups: string[] = [];
  const downs: string[] = [];
  s.events.on("up", (a) => ups.push(a));
  s.events.on("down", (d) => downs.push(d));
  const ready = () => {
    events.emit("state", { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" });
    events.emit("registration", { domain: "eps", stat: "home", area: undefined, cell: undefined, act: 7, n: undefined });
  };
  return { r, s, events, ready, ups, downs, resets };
}

async function step(r: ReturnType<typeof session>["r"], tx: string, rx: string): Promise<void> {
  await r.modem.tx(tx);
  await r.modem.rx(rx);
}

/**
 * The first part of every activation: receive settings, packet events, the APN (read
 * first, written only when it differs: the first time the module has another one, after
 * a loss it has ours), attached?
 */
async function preamble(r: ReturnType<typeof session>["r"], deactivateFirst: boolean): Promise<void> {
  await step(r, 'AT+QICFG="dataformat",0,1\r', OK);
  await step(r, "AT+CGEREP=2,1\r", OK);
  if (deactivateFirst) await step(r, "AT+QIDEACT=1\r", OK);
  await step(r, "AT+CGDCONT?\r", '\r\n+CGDCONT: 1,"IP","' + (deactivateFirst ? "SPMODE.ne.jp" : "") + '","0.0.0.0",0,0\r\n' + OK);
  // 27.007 §10.1.1 PDP type IP is Quectel's <context_type> 1 (TCP/IP manual §2.3.1).
  if (!deactivateFirst) await step(r, 'AT+QICSGP=1,1,"spmode.ne.jp","","",0\r', OK);
  await step(r, "AT+CGATT?\r", "\r\n+CGATT: 1\r\n" + OK);
}

test("activation: define, attach check, activate, address", async (t) => {
  const x = session(0.5);
  x.s.start();
  x.ready();
  await preamble(x.r, false);
  await step(x.r, "AT+QIACT?\r", OK);
  await step(x.r, "AT+QIACT=1\r", OK);
  await step(x.r, "AT+QIACT?\r", '\r\n+QIACT: 1,1,1,"10.128.0.7"\r\n' + OK);
  await x.r.modem.tx("");
  t.deepEqual(x.ups, ["10.128.0.7"]);
  t.is(x.s.status().name, "up");
});

test("a context still active from before is taken as is (no AT+QIACT=1 to fail on)", async (t) => {
  const x = session(0.5);
  x.s.start();
  x.ready();
  await preamble(x.r, false);
  await step(x.r, "AT+QIACT?\r", '\r\n+QIACT: 1,1,1,"10.128.0.9"\r\n' + OK);
  await x.r.modem.tx("");
  t.deepEqual(x.ups, ["10.128.0.9"]);
});

test("+CGEV: NW PDN DEACT and pdpdeact: down at once, re-activated after a jittered pause, deactivating first", async (t) => {
  const x = session(0.5);
  x.s.start();
  x.ready();
  await preamble(x.r, false);
  await step(x.r, "AT+QIACT?\r", '\r\n+QIACT: 1,1,1,"10.128.0.7"\r\n' + OK);
  await x.r.modem.rx("\r\n+CGEV: NW PDN DEACT 1\r\n");
  t.deepEqual(x.downs, ["+CGEV: NW PDN DEACT 1"]);
  // Full jitter under a 2 s ceiling: random 0.5 waits 1 s; nothing is sent before.
  await x.r.clock.advance(999);
  await x.r.modem.tx("");
  await x.r.clock.advance(1);
  await preamble(x.r, true);
  await step(x.r, "AT+QIACT?\r", OK);
  await step(x.r, "AT+QIACT=1\r", OK);
  await step(x.r, "AT+QIACT?\r", '\r\n+QIACT: 1,1,1,"10.128.0.8"\r\n' + OK);
  await x.r.modem.tx("");
  t.deepEqual(x.ups, ["10.128.0.7", "10.128.0.8"]);
  // The vendor's notice does the same; another context's is not ours.
  await x.r.modem.rx('\r\n+QIURC: "pdpdeact",2\r\n');
  t.is(x.downs.length, 1);
  await x.r.modem.rx('\r\n+QIURC: "pdpdeact",1\r\n');
  t.is(x.downs.length, 2);
});

test("R15 R18: +CEREG: 3 stops data and deactivates; nothing more is tried until registered again", async (t) => {
  const x = session(0.5);
  x.s.start();
  x.ready();
  await preamble(x.r, false);
  await step(x.r, "AT+QIACT?\r", '\r\n+QIACT: 1,1,1,"10.128.0.7"\r\n' + OK);
  x.events.emit("registration", { domain: "eps", stat: "denied", area: undefined, cell: undefined, act: undefined, n: undefined });
  await step(x.r, "AT+QIDEACT=1\r", OK);
  t.is(x.s.status().name, "barred");
  await x.r.clock.advance(3600000);
  await x.r.modem.tx("");
  t.deepEqual(x.downs, ["unregistered"]);
});

test("activation failing three times in a row asks the modem manager for a reset", async (t) => {
  const x = session(0);
  x.s.start();
  x.ready();
  for (let i = 0; i < 3; i++) {
    await preamble(x.r, i > 0);
    await step(x.r, "AT+QIACT?\r", OK);
    await step(x.r, "AT+QIACT=1\r", "\r\n+CME ERROR: 30\r\n");
    await x.r.clock.advance(0);
  }
  await x.r.modem.tx("");
  t.is(x.resets.length, 1);
  t.regex(x.resets[0], /activation failed/);
  t.is(x.s.status().name, "resetting");
});
