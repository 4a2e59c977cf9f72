/**
 * Messaging end to end on one engine: the real AtChannel and Messaging over a small
 * scripted modem (a `Serial` that answers from a table, shows the `> ` prompt, and sends
 * URCs), RAM storage and the engine's own timers. espruino.test.ts bundles it as a board
 * bundle is and runs it on Node and on the Espruino interpreter; both must print the
 * same. Written in Espruino's subset (no async, no spread, no destructuring).
 */
import type { Serial, Unsubscribe } from "../../hal/types.js";
import { AtChannel } from "../../drivers/at/index.js";
import { codePointsOf, deliverParts, type Scts } from "../../drivers/sms/index.js";
import { Messaging, parsePriorityAnswer } from "../../firmware/messaging/index.js";
import { RamStorage } from "../../firmware/messaging/store.js";
import { validateNumber } from "../../firmware/messaging/outbox.js";
import { parseCusd } from "../../firmware/messaging/ussd.js";

declare const print: ((s: string) => void) | undefined;

const out: string[] = [];
/** JSON with non-ASCII as \uXXXX (Espruino's JSON.stringify escapes it, Node's does not). */
function asciiJson(v: unknown): string {
  const s = JSON.stringify(v);
  let o = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) o += s.charAt(i);
    else {
      let h = c.toString(16).toUpperCase();
      while (h.length < 4) h = "0" + h;
      o += "\\u" + h;
    }
  }
  return o;
}
function say(label: string, v: unknown): void {
  out.push(label + " " + asciiJson(v));
}
function finish(): void {
  const text = "RESULT\n" + out.join("\n") + "\nEND";
  if (typeof print === "function") print(text);
  else console.log(text);
}

const T0: Scts = { year: 2026, month: 11, day: 25, hour: 10, minute: 0, second: 0, offsetMinutes: 540 };
const stored = deliverParts("stored while the firmware was off", { from: "+819011110000", timestamp: T0 })[0];
const routed = deliverParts("routed: ca va? 日本語も", { from: "+819022220000", timestamp: T0 })[0];

class ScriptedModem implements Serial {
  commands: string[] = [];
  private listeners: ((c: string) => void)[] = [];
  private buf = "";
  private prompt = false;
  private mr = 7;
  private table: { [cmd: string]: string } = {
    "AT+CSMS?": "+CSMS: 1,1,1,1\r\n\r\nOK",
    "AT+CPMS?": '+CPMS: "SM",1,30,"SM",1,30,"SM",1,30\r\n\r\nOK',
    "AT+CMGL=4": "+CMGL: 1,0,," + stored.tpduLength + "\r\n" + stored.hex + "\r\n\r\nOK",
    "AT+CMGR=1": "+CMGR: 0,," + stored.tpduLength + "\r\n" + stored.hex + "\r\n\r\nOK",
    "AT+CMGD=1": "OK",
    "AT+CNMA": "OK",
    'AT+CUSD=1,"*#103#",15': "OK",
  };

  write(bytes: string): Promise<void> {
    this.buf += bytes;
    if (this.prompt) {
      const z = this.buf.indexOf("\x1a");
      if (z >= 0) {
        this.prompt = false;
        this.buf = this.buf.substr(z + 1);
        this.send("\r\n+CMGS: " + this.mr++ + "\r\n\r\nOK\r\n");
      }
      return Promise.resolve();
    }
    let i = this.buf.indexOf("\r");
    while (i >= 0) {
      const cmd = this.buf.substr(0, i);
      this.buf = this.buf.substr(i + 1);
      this.command(cmd);
      i = this.buf.indexOf("\r");
    }
    return Promise.resolve();
  }

  private command(cmd: string): void {
    this.commands.push(cmd);
    if (cmd.indexOf("AT+CMGS=") === 0) {
      this.prompt = true;
      this.send("\r\n> ");
      return;
    }
    const answer = this.table[cmd];
    this.send("\r\n" + (answer === undefined ? "ERROR" : answer) + "\r\n");
    if (cmd === 'AT+CUSD=1,"*#103#",15') this.send('\r\n+CUSD: 0,"103*7*1# another accessory: Car",15\r\n');
  }

  /** Bytes from the modem, a little later (never inside the writer's call). */
  send(bytes: string): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- a plain function keeps `this` on Espruino (arrows in methods do not, espruino-facts.md)
    const self = this;
    setTimeout(function () {
      for (let i = 0; i < self.listeners.length; i++) self.listeners[i](bytes);
    }, 2);
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    this.listeners.push(handler);
    return function () {
      return undefined;
    };
  }

  onClose(): Unsubscribe {
    return function () {
      return undefined;
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const clock = {
  now: function () {
    return Date.now();
  },
  setTimeout: function (fn: () => void, ms: number) {
    return setTimeout(fn, ms);
  },
  clearTimeout: function (h: unknown) {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

const numbers = ["+81 90-1111-2222", '+8190"\r\nATD110;', "12*3"];
for (let i = 0; i < numbers.length; i++) {
  try {
    say("number" + i, validateNumber(numbers[i]));
  } catch (e) {
    say("number" + i, (e as { code: string }).code);
  }
}
say("answer", parsePriorityAnswer("103*7*1# another accessory: Car"));
const cusd = parseCusd('+CUSD: 2,"30D330FC",72')!;
// Code points, not the string: the engines' JSON.stringify escape non-ASCII differently.
say("cusd", [cusd.status, codePointsOf(cusd.text), cusd.dcs]);

const modem = new ScriptedModem();
const channel = new AtChannel(modem, clock);
const caps = { voice: true, sms: "native" as const, callWaiting: true, data: true, settingsMenu: true };
const m = new Messaging(channel, clock, new RamStorage(), caps, {
  ready: function () {
    return true;
  },
});
let received = 0;
m.events.on("received", function (msg) {
  received++;
  say("received" + received, [msg.from, msg.text, msg.time, msg.parts]);
  if (received === 1) {
    let long = "";
    for (let k = 0; k < 8; k++) long += "Two parts from the watch. ";
    m.send("+819033330000", long).then(function (id) {
      say("accepted", id);
    });
  } else {
    m.queryPriority().then(function (r) {
      say("priority", [r.ok, r.state.holder, r.state.name, m.priorityText()]);
      m.inbox().then(function (list) {
        say("inbox", list.length);
        say("commands", modem.commands);
        finish();
      });
    });
  }
});
m.events.on("sent", function (msg) {
  say("sent", [msg.id, msg.mrs, msg.state]);
  modem.send("\r\n+CMT: ," + routed.tpduLength + "\r\n" + routed.hex + "\r\n");
});
m.start();
