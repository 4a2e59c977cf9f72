/**
 * The AT channel and the firmware's bring-up inside the real Espruino interpreter:
 * transcripts replayed byte for byte (a gammu session's modem side, one byte at a time),
 * URCs with PDU lines, the SMS prompt, typed errors, timeouts with resynchronisation, a
 * reboot, injection attempts, and the generic bring-up against a table-driven modem.
 *
 * Portable code only: the modem's end and a step clock from ../rig.ts, since hal/memory
 * is host code.
 */
import { assert, check, equal, runChecks } from "../harness.js";
import { FakeEnd, StepClock, later, noPins } from "../rig.js";
import { AtAbortedError, AtArgumentError, AtChannel, AtCommandError, AtTimeoutError, type AtResponse } from "../../../drivers/at/index.js";
import { startFirmware } from "../../../firmware/main.js";
import { loadBoards, pickBoard } from "../../../firmware/board.js";

function rig(): { clock: StepClock; end: FakeEnd; ch: AtChannel } {
  const clock = new StepClock();
  const end = new FakeEnd();
  return { clock: clock, end: end, ch: new AtChannel(end, clock, { timeoutMs: 1000 }) };
}

check("gammu identify, modem side one byte at a time: echo, bare answers, ERROR", function () {
  const r = rig();
  r.end.chunk = 1;
  const got: string[] = [];
  const p1 = r.ch.send("AT+CGMM").then(function (a: AtResponse) {
    got.push(a.lines.join("|"));
  });
  r.end.push("AT+CGMM\r\r\nRM-LTE1\r\n\r\nOK\r\n");
  return p1
    .then(function () {
      const p2 = r.ch.send("AT+CPROT=?").then(
        function () {
          got.push("resolved?!");
        },
        function (e: unknown) {
          got.push(AtCommandError.is(e) ? "error:" + e.kind : "other");
        },
      );
      return later().then(function () {
        r.end.push("AT+CPROT=?\r\r\nERROR\r\n");
        return p2;
      });
    })
    .then(function () {
      equal(got, ["RM-LTE1", "error:error"], "outcomes");
      equal(r.end.written, "AT+CGMM\rAT+CPROT=?\r", "bytes written");
    });
});

check("URCs before, inside and after a response; +CMT with its PDU", function () {
  const r = rig();
  r.end.chunk = 3;
  const seen: string[] = [];
  r.ch.onUrc("RING", function (l) {
    seen.push(l);
  });
  r.ch.onUrc(
    "+CMT:",
    function (l, pdu) {
      seen.push(l + "/" + pdu);
    },
    { pdu: true },
  );
  const p = r.ch.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] });
  r.end.push("\r\nRING\r\n\r\n+CSQ: 20,99\r\n\r\n+CMT: ,24\r\n0791AB\r\n\r\nOK\r\n\r\nRING\r\n");
  return p.then(function (a) {
    equal(a.lines, ["+CSQ: 20,99"], "response lines");
    equal(seen, ["RING", "+CMT: ,24/0791AB", "RING"], "URCs");
  });
});

check("a counted block after a URC (SIMCom +CMQTTRXPAYLOAD), one byte at a time: CR, LF and OK inside arrive whole", function () {
  const r = rig();
  r.end.chunk = 1;
  const seen: string[] = [];
  r.ch.onUrc(
    "+CMQTTRXPAYLOAD:",
    function (l, data) {
      seen.push(l + "/" + JSON.stringify(data));
    },
    {
      bytes: function (l: string) {
        return parseInt(l.split(",")[1], 10);
      },
    },
  );
  const p = r.ch.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] });
  const payload = "a\r\nOK\r\n\x00\xff";
  r.end.push("\r\n+CMQTTRXPAYLOAD: 0," + payload.length + "\r\n" + payload + "\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
  return p.then(function (a) {
    equal(a.lines, ["+CSQ: 20,99"], "response lines after the block");
    equal(seen, ["+CMQTTRXPAYLOAD: 0," + payload.length + "/" + JSON.stringify(payload)], "the block whole");
  });
});

check("the SMS prompt: the PDU and Ctrl-Z go out only after '> '", function () {
  const r = rig();
  const pdu = "0011000B915155214365F70000FF05E8329BFD06";
  const p = r.ch.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: pdu, prefixes: ["+CMGS:"] });
  return later()
    .then(function () {
      equal(r.end.written, "AT+CMGS=19\r", "before the prompt");
      r.end.push("\r\n> ");
      equal(r.end.written, "AT+CMGS=19\r" + pdu + "\x1a", "after the prompt");
      r.end.push("\r\n+CMGS: 4\r\n\r\nOK\r\n");
      return p;
    })
    .then(function (a) {
      equal(a.lines, ["+CMGS: 4"], "reference");
    });
});

check("a timeout sends Esc in prompt mode, then the channel resynchronises", function () {
  const r = rig();
  let err: unknown = undefined;
  r.ch.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA" }).then(undefined, function (e: unknown) {
    err = e;
  });
  return later()
    .then(function () {
      r.clock.advance(1000);
      return later();
    })
    .then(function () {
      assert(AtTimeoutError.is(err), "timeout error");
      const p = r.ch.send("AT");
      return later().then(function () {
        equal(r.end.written, "AT+CMGS=19\r\x1bAT+CMEE?\r", "Esc then the probe");
        r.end.push("\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n");
        return later().then(function () {
          r.end.push("\r\nOK\r\n");
          return p;
        });
      });
    })
    .then(function (a) {
      equal(a.final, "OK", "next command answered");
    });
});

check("a reboot banner fails what was pending with AtAbortedError", function () {
  const r = rig();
  let err: unknown = undefined;
  const p = r.ch.send("AT+COPS?").then(undefined, function (e: unknown) {
    err = e;
  });
  r.end.push("\r\nRDY\r\n");
  return p.then(function () {
    assert(AtAbortedError.is(err), "aborted");
    assert(err instanceof Error, "instanceof Error");
  });
});

check("injection attempts are refused before a byte is written", function () {
  const r = rig();
  const bad = ["AT+CFUN=0\rAT", "ATD110;ATH", 'AT+CUSD=1,"*103#', "AT\x1a"];
  let refused = 0;
  const all: Promise<void>[] = [];
  for (let i = 0; i < bad.length; i++) {
    all.push(
      r.ch.send(bad[i]).then(undefined, function (e: unknown) {
        if (AtArgumentError.is(e)) refused++;
      }),
    );
  }
  return Promise.all(all).then(function () {
    equal(refused, bad.length, "refused");
    equal(r.end.written, "", "nothing written");
  });
});

check("the firmware's generic bring-up runs to ready against a table-driven modem", function () {
  const clock = new StepClock();
  const end = new FakeEnd();
  const ok = "\r\nOK\r\n";
  const table: { [cmd: string]: string } = {
    AT: ok,
    ATE0: ok,
    ATV1: ok,
    "AT+CMEE=1": ok,
    "AT+CGMI": "\r\nSharedline\r\n" + ok,
    "AT+CGMM": "\r\nSL-LTE\r\n" + ok,
    "AT+CGMR": "\r\n1.0\r\n" + ok,
    "AT+CGSN": "\r\n490154203237518\r\n" + ok,
    "AT+CPIN?": "\r\n+CPIN: READY\r\n" + ok,
    "AT+CIMI": "\r\n440101234567890\r\n" + ok,
    "AT+CREG=2": ok,
    "AT+CEREG=2": ok,
    "AT+CLIP=1": ok,
    "AT+CRC=1": ok,
    "AT+CCWA=1": ok,
    "AT+CMGF=0": ok,
    "AT+CNMI=2,1,0,2,0": ok,
    "AT+CEREG?": '\r\n+CEREG: 2,1,"1A2B","01C2D3E4",7\r\n' + ok,
    "AT+CREG?": "\r\n+CREG: 2,0\r\n" + ok,
    "AT+CSQ": "\r\n+CSQ: 20,99\r\n" + ok,
    "AT+COPS?": '\r\n+COPS: 0,0,"NTT DOCOMO",7\r\n' + ok,
  };
  end.answers = function (cmd) {
    return Object.prototype.hasOwnProperty.call(table, cmd) ? table[cmd] : "\r\nERROR\r\n";
  };
  const boards = loadBoards({
    boards: {
      test: {
        description: "Espruino test board",
        runtime: "espruino",
        modem: "generic",
        serial: { port: "Serial1", baud: 115200, flow: "none" },
        pins: {},
        capabilities: { voice: true, sms: "native", callWaiting: true, data: true, settingsMenu: false },
        budgets: { bundleBytes: 100000, ramBlocks: 6000 },
        espruino: { build: "LINUX", variables: 0 },
      },
    },
  });
  const fw = startFirmware({ serial: end, clock: clock, pins: noPins, storage: undefined }, pickBoard(boards, "test"));
  let rounds = 0;
  const wait = function (): Promise<void> {
    return later().then(function () {
      rounds++;
      if (fw.modem.status().state.name === "ready" && fw.modem.status().operator) return undefined;
      if (rounds > 200) throw new Error("not ready; state " + fw.modem.status().state.name + "; wrote " + JSON.stringify(end.written));
      return wait();
    });
  };
  return wait().then(function () {
    const st = fw.modem.status();
    equal(st.info.imei, "490154203237518", "IMEI");
    equal(st.eps ? st.eps.stat : "", "home", "registration");
    equal(st.signal ? st.signal.rssiDbm : 0, -73, "signal");
  });
});

runChecks();
