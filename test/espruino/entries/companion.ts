/**
 * The data session and the companion link over the module's own MQTT client inside the
 * real Espruino interpreter: the firmware as the watch composes it (createFirmware with
 * the watch-bangle2-bg95 board, link "modem-mqtt"), against a table-driven BG95 that
 * answers bring-up, the PDP context (+QICSGP/+QIACT, BG95 TCP/IP AN §2.1) and the MQTT
 * commands (+QMTCFG/OPEN/CONN/SUB/PUBEX, BG95 MQTT AN §3.3), with +QMTRECV and
 * +QIURC: "pdpdeact" pushed by hand.
 *
 * Portable code only: the modem's end and a step clock from ../rig.ts, since hal/memory
 * is host code.
 */
import { assert, check, equal, runChecks } from "../harness.js";
import { FakeEnd, StepClock, later, noPins } from "../rig.js";
import { splitParams } from "../../../drivers/at/params.js";
import { createFirmware, type Firmware } from "../../../firmware/main.js";
import { loadBoards, pickBoard } from "../../../firmware/board.js";

/**
 * One row of the modem's table: a command, or its head up to "=" (then the handler gets
 * the parameters, quotes removed), and what the module prints for it. Plain string
 * compares: Espruino's RegExp lacks groups, `?` and inner alternation (espruino-facts.md).
 */
type Rule = [string, (params: string[]) => string];

/** The table's answer to a command line: the first row naming it, else ERROR. */
function answerFrom(rules: Rule[]): (cmd: string) => string {
  return function (cmd) {
    const eq = cmd.indexOf("=");
    for (let k = 0; k < rules.length; k++) {
      const key = rules[k][0];
      if (key === cmd) return rules[k][1]([]);
      if (eq > 0 && key === cmd.substr(0, eq + 1)) return rules[k][1](splitParams(cmd.substr(eq + 1)));
    }
    return "\r\nERROR\r\n";
  };
}

/** Bytes as the module's hex text (BG95 MQTT AN §3.3.1 "dataformat"), and back. */
function toHex(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const h = "0" + s.charCodeAt(i).toString(16).toUpperCase();
    out += h.substr(h.length - 2);
  }
  return out;
}
function fromHex(h: string): string {
  let out = "";
  for (let i = 0; i + 1 < h.length; i += 2) out += String.fromCharCode(parseInt(h.substr(i, 2), 16));
  return out;
}

/** Epoch ms, as Date.now() gives on the watch: command expiries are epoch seconds. */
const clock = new StepClock(1796601600000);
/** The BG95's end of the UART. */
const modem = new FakeEnd();

/** The commands that are `cmd`, or start with it when it ends in "=", in order. */
function sent(cmd: string): string[] {
  const head = cmd.charAt(cmd.length - 1) === "=";
  return modem.commands.filter(function (c) {
    return head ? c.substr(0, cmd.length) === cmd : c === cmd;
  });
}
const OK = "\r\nOK\r\n";
const ERROR = "\r\nERROR\r\n";
function ok(lines: string[]): string {
  let s = "";
  for (let i = 0; i < lines.length; i++) s += "\r\n" + lines[i] + "\r\n";
  return s + OK;
}
function reply(text: string): () => string {
  return function () {
    return text;
  };
}

/** What the module's network side holds: the context, its address, the MQTT client, what went out. */
const net = {
  attached: true,
  active: false,
  /** Context 1's APN as the module holds it: empty out of the box, so the firmware writes it. */
  apn: "",
  address: "10.20.30.40",
  will: "",
  mqtt: "closed" as "closed" | "open" | "connected",
  subscribed: [] as string[],
  published: [] as { topic: string; qos: number; retain: boolean; payload: string }[],
};

/** Answers OK when the parameters are exactly `want`, ERROR otherwise. */
function okFor(want: string): (p: string[]) => string {
  return function (p) {
    return p.join(",") === want ? OK : ERROR;
  };
}

const bringUp: Rule[] = [];
const settings = ["AT", "ATE0", "ATV1", "AT+CLCC"];
for (let i = 0; i < settings.length; i++) bringUp.push([settings[i], reply(OK)]);
// Settings the Quectel profile writes at bring-up (drivers/modems/quectel.ts), with their values.
const written: { [head: string]: string } = {
  "AT+CMEE=": "1",
  "AT+QURCCFG=": "urcport,uart1",
  "AT+QCFG=": "ims,1",
  "AT+CREG=": "2",
  "AT+CEREG=": "2",
  "AT+CLIP=": "1",
  "AT+CRC=": "1",
  "AT+CMGF=": "0",
  "AT+CNMI=": "2,1,0,2,0",
  "AT+CDIP=": "1",
  "AT+CEN=": "1",
  "AT+CNAP=": "1",
  "AT+COLP=": "0",
  "AT+COPS=": "3,0",
  "AT+CPOSR=": "1",
  "AT+CSMS=": "1",
  "AT+CUSD=": "1",
  "AT+CGEREP=": "2,1",
};
const heads = Object.keys(written);
for (let i = 0; i < heads.length; i++) bringUp.push([heads[i], okFor(written[heads[i]])]);

modem.answers = answerFrom(
  bringUp.concat([
  // Call waiting is switched off on this board (callWaiting false), on elsewhere.
  [
    "AT+CCWA=",
    function (p) {
      return p[0] === "0" || p[0] === "1" ? OK : ERROR;
    },
  ],
  ["AT+CGMI", reply(ok(["Quectel"]))],
  ["AT+CGMM", reply(ok(["BG95-M3"]))],
  ["AT+CGMR", reply(ok(["BG95M3LAR02A03"]))],
  ["AT+CGSN", reply(ok(["490154203237518"]))],
  ["AT+CPIN?", reply(ok(["+CPIN: READY"]))],
  ["AT+CIMI", reply(ok(["440101234567890"]))],
  ["AT+QCCID", reply(ok(["+QCCID: 8981100000000000001F"]))],
  ["AT+CEREG?", reply(ok(['+CEREG: 2,1,"1A2B","01C2D3E4",7']))],
  ["AT+CREG?", reply(ok(["+CREG: 2,0"]))],
  ["AT+CSQ", reply(ok(["+CSQ: 20,99"]))],
  ["AT+COPS?", reply(ok(['+COPS: 0,0,"NTT DOCOMO",7']))],
  ["AT+CEN?", reply(ok(["+CEN: 1,0"]))],
  ["AT+CSMS?", reply(ok(["+CSMS: 1,1,1,1"]))],
  ["AT+CPMS?", reply(ok(['+CPMS: "ME",0,255,"ME",0,255,"ME",0,255']))],
  // The data session (BG95 TCP/IP AN §2.1): context 1's APN, attach, activate, its address.
  [
    "AT+CGDCONT?",
    function () {
      return ok(['+CGDCONT: 1,"IPV4V6","' + net.apn + '","0.0.0.0",0,0']);
    },
  ],
  [
    "AT+QICSGP=",
    function (p) {
      if (p.length !== 6 || p[0] !== "1" || p[1] !== "3" || p[5] !== "0") return ERROR;
      net.apn = p[2];
      return OK;
    },
  ],
  [
    "AT+QICFG=",
    function (p) {
      return p.join(",") === "dataformat,0,1" ? OK : ERROR;
    },
  ],
  [
    "AT+CGATT?",
    function () {
      return ok(["+CGATT: " + (net.attached ? 1 : 0)]);
    },
  ],
  [
    "AT+CGATT=",
    function (p) {
      net.attached = p[0] === "1";
      return OK;
    },
  ],
  [
    "AT+QIACT?",
    function () {
      return ok(net.active ? ['+QIACT: 1,1,3,"' + net.address + '"'] : []);
    },
  ],
  [
    "AT+QIACT=",
    function (p) {
      if (p[0] !== "1" || !net.attached) return ERROR;
      net.active = true;
      return OK;
    },
  ],
  [
    "AT+QIDEACT=",
    function (p) {
      if (p[0] !== "1") return ERROR;
      net.active = false;
      return OK;
    },
  ],
  // The module's MQTT client (BG95 MQTT AN §3.3), client 0 on context 1.
  [
    "AT+QMTCFG=",
    function (p) {
      const known = ["pdpcid,0,1", "version,0,4", "session,0,1", "keepalive,0,240", "recv/mode,0,0,1", "dataformat,0,1,1"];
      if (known.indexOf(p.join(",")) >= 0) return OK;
      if (p[0] !== "will" || p.join(",").indexOf("will,0,1,1,1,") !== 0 || p.length !== 7) return ERROR;
      net.will = p[5] + " " + fromHex(p[6]);
      return OK;
    },
  ],
  [
    "AT+QMTCLOSE=",
    function () {
      if (net.mqtt === "closed") return ERROR;
      net.mqtt = "closed";
      return OK + "\r\n+QMTCLOSE: 0,0\r\n";
    },
  ],
  [
    "AT+QMTOPEN=",
    function (p) {
      if (p.join(",") !== "0,broker.example,1883") return ERROR;
      // §3.3.2 result 3: the PDP context could not be used.
      if (!net.active) return OK + "\r\n+QMTOPEN: 0,3\r\n";
      net.mqtt = "open";
      return OK + "\r\n+QMTOPEN: 0,0\r\n";
    },
  ],
  [
    "AT+QMTCONN=",
    function (p) {
      if (net.mqtt !== "open" || p.join(",") !== "0,w1,w1,pw") return ERROR;
      net.mqtt = "connected";
      return OK + "\r\n+QMTCONN: 0,0,0\r\n";
    },
  ],
  [
    "AT+QMTSUB=",
    function (p) {
      if (net.mqtt !== "connected" || p.length !== 4) return ERROR;
      net.subscribed.push(p[2]);
      return OK + "\r\n+QMTSUB: 0," + p[1] + ",0," + p[3] + "\r\n";
    },
  ],
  [
    "AT+QMTPUBEX=",
    function (p) {
      if (net.mqtt !== "connected" || p.length !== 6) return ERROR;
      net.published.push({ topic: p[4], qos: Number(p[2]), retain: p[3] === "1", payload: fromHex(p[5]) });
      return OK + (p[2] === "0" ? "" : "\r\n+QMTPUBEX: 0," + p[1] + ",0\r\n");
    },
  ],
  [
    "AT+QMTDISC=",
    function () {
      net.mqtt = "closed";
      return OK + "\r\n+QMTDISC: 0,0\r\n";
    },
  ],
  ]),
);

/** Runs the event loop and the clock (100 ms a round) until `cond` holds. */
function until(cond: () => boolean, what: string, maxRounds?: number): Promise<void> {
  let rounds = 0;
  const limit = maxRounds || 600;
  const step = function (): Promise<void> {
    return later().then(function () {
      if (cond()) return undefined;
      if (++rounds > limit) throw new Error("not so after " + rounds + " rounds: " + what + "; last commands " + JSON.stringify(modem.commands.slice(-8)));
      clock.advance(100);
      return step();
    });
  };
  return step();
}

/** The messages published on `topic` so far, decoded. */
function publishedOn(suffix: string): { [k: string]: unknown }[] {
  const out: { [k: string]: unknown }[] = [];
  for (let i = 0; i < net.published.length; i++) {
    const p = net.published[i];
    if (p.topic.substr(p.topic.length - suffix.length) === suffix) out.push(JSON.parse(p.payload));
  }
  return out;
}

const DEV = "sl/v1/819012345678/dev/w1/";

/** boards.json's watch-bangle2-bg95, as the watch bundle has it (its description cut short). */
const BOARDS = {
  boards: {
    "watch-bangle2-bg95": {
      description: "Smartwatch: Bangle.js 2 class with a Quectel BG95-M3 on Serial2",
      runtime: "espruino",
      modem: "quectel-bg95",
      serial: { port: "Serial2", baud: 115200, rx: "D9", tx: "D10", flow: "none" },
      pins: {
        powerKey: { pin: "D11", activeHigh: true },
        reset: { pin: "D12", activeHigh: true },
        status: { pin: "D18", activeHigh: true },
        ringIndicator: { pin: "D25", activeHigh: false },
      },
      data: { apn: "spmode.ne.jp", keepaliveS: 240, link: "modem-mqtt" },
      capabilities: { voice: true, sms: "native", callWaiting: false, data: true, settingsMenu: false },
      budgets: { bundleBytes: 229376, ramBlocks: 5000 },
      espruino: { build: "BANGLEJS2", variables: 12000 },
    },
  },
};

let fw: Firmware | undefined = undefined;
const ups: string[] = [];
const downs: string[] = [];
const handled: string[] = [];

check("the watch's firmware composes with the modem-mqtt link and starts", function () {
  const f = createFirmware({ serial: modem, clock: clock, pins: noPins, storage: undefined }, pickBoard(loadBoards(BOARDS), "watch-bangle2-bg95"), {
    companion: { url: "mqtt://broker.example:1883", msisdn: "+819012345678", deviceId: "w1", password: "pw" },
  });
  fw = f;
  assert(f.data !== undefined, "a data session");
  assert(f.companion !== undefined, "a companion link");
  f.data!.events.on("up", function (a) {
    ups.push(a);
  });
  f.data!.events.on("down", function (why) {
    downs.push(why);
  });
  f.companion!.events.on("command", function (c) {
    handled.push(c.id + ":" + c.op + ":" + c.outcome);
  });
  f.start();
});

check("R83 the data session sets the APN, attaches, activates context 1 (+QIACT) and reads its address", function () {
  return until(function () {
    return ups.length > 0;
  }, "data up").then(function () {
    equal(ups, ["10.20.30.40"], "address");
    equal(fw!.data!.status().name, "up", "data state");
    equal(sent("AT+QICSGP="), ['AT+QICSGP=1,3,"spmode.ne.jp","","",0'], "APN written once");
    assert(sent("AT+QIACT=1").length === 1, "activated once");
  });
});

check("the link opens, connects with its will, subscribes to the device's topics and says it is online", function () {
  return until(function () {
    return fw!.companion!.status().name === "online" && publishedOn("/state").length > 0;
  }, "link online with a state").then(function () {
    assert(net.will.indexOf(DEV + "status ") === 0, "will topic: " + net.will);
    const will = JSON.parse(net.will.substr(net.will.indexOf(" ") + 1));
    equal(will.online, false, "will says offline");
    equal(sent("AT+QMTCONN="), ['AT+QMTCONN=0,"w1","w1","pw"'], "one CONNECT with the credentials");
    assert(net.subscribed.indexOf(DEV + "cmd") >= 0, "subscribed to cmd: " + JSON.stringify(net.subscribed));
    assert(net.subscribed.indexOf("sl/v1/819012345678/line") >= 0, "subscribed to line");
    const status = publishedOn("/status");
    assert(status.length >= 1 && status[status.length - 1].online === true, "online:true published: " + JSON.stringify(status));
    const st = publishedOn("/state");
    equal(st[st.length - 1].v, 1, "state schema");
  });
});

let recvId = 100;
function deliverCommand(body: { [k: string]: unknown }): void {
  const text = JSON.stringify(body);
  modem.urc("+QMTRECV: 0," + recvId++ + ',"' + DEV + 'cmd",' + text.length + ',"' + toHex(text) + '"');
}

function acksFor(id: string): string[] {
  return publishedOn("/ack")
    .filter(function (a) {
      return a.id === id;
    })
    .map(function (a) {
      return String(a.status);
    });
}

check("a command in +QMTRECV is run once and acknowledged; the same id again is only answered duplicate", function () {
  const exp = Math.floor(clock.now() / 1000) + 600;
  deliverCommand({ v: 1, id: "c-1", op: "refreshState", exp: exp });
  const states = publishedOn("/state").length;
  return until(function () {
    return acksFor("c-1").length >= 2 && publishedOn("/state").length > states;
  }, "c-1 done")
    .then(function () {
      equal(acksFor("c-1"), ["accepted", "done"], "acks of c-1");
      equal(handled, ["c-1:refreshState:done"], "handled");
      deliverCommand({ v: 1, id: "c-1", op: "refreshState", exp: exp });
      return until(function () {
        return acksFor("c-1").length >= 3;
      }, "the resent c-1 answered");
    })
    .then(function () {
      equal(acksFor("c-1"), ["accepted", "done", "duplicate"], "acks after the resend");
      equal(handled, ["c-1:refreshState:done", "c-1:refreshState:duplicate"], "not run again");
    });
});

check("an expired command is not run: its ack says expired", function () {
  deliverCommand({ v: 1, id: "c-old", op: "ping", exp: Math.floor(clock.now() / 1000) - 60 });
  return until(function () {
    return acksFor("c-old").length >= 1;
  }, "c-old answered").then(function () {
    equal(acksFor("c-old"), ["expired"], "ack");
    equal(handled[handled.length - 1], "c-old:ping:expired", "outcome");
  });
});

check('R83 +QIURC: "pdpdeact" brings the context back up and the link reconnects', function () {
  const acts = sent("AT+QIACT=1").length;
  const conns = sent("AT+QMTCONN=").length;
  net.active = false;
  net.mqtt = "closed";
  modem.urc('+QIURC: "pdpdeact",1');
  // The URC alone takes the session down (no time passes); the MQTT client's own notice follows.
  return until(
    function () {
      return downs.length > 0;
    },
    "data down on the URC",
    1,
  )
    .then(function () {
      modem.urc("+QMTSTAT: 0,1");
      return until(function () {
        return ups.length > 1 && fw!.companion!.status().name === "online" && sent("AT+QMTCONN=").length > conns;
      }, "data up again and the link online");
    })
    .then(function () {
      equal(ups, ["10.20.30.40", "10.20.30.40"], "up twice");
      equal(sent("AT+QIACT=1").length, acts + 1, "re-activated once");
      equal(net.mqtt, "connected", "module's client connected");
      const status = publishedOn("/status");
      equal(status[status.length - 1].online, true, "online again");
    });
});

check("stopping says goodbye: online:false, then DISCONNECT", function () {
  const before = publishedOn("/status").length;
  let stopped = false;
  fw!.stop().then(function () {
    stopped = true;
  });
  return until(function () {
    return stopped;
  }, "stopped").then(function () {
    const status = publishedOn("/status");
    assert(status.length === before + 1 && status[before].online === false, "online:false: " + JSON.stringify(status.slice(before)));
    equal(sent("AT+QMTDISC=0").length, 1, "one DISCONNECT");
  });
});

runChecks();
