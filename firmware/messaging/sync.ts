/**
 * The receiver's sync (receiver.ts says what it is for): at every start and after a modem
 * restart, the modem's SMS settings are read and every memory it stores in is listed;
 * each listed message is read, persisted and deleted by a job of the cold receive module
 * (`rcvRead`). In the boot code: it runs at every bring-up, where loading the receive
 * module would cost the heap that module takes while the modem holds nothing.
 */
import { AtAbortedError, AtCommandError, atQuoted } from "../../drivers/at/index.js";
import { errorText } from "./errors.js";
import { atFields, atNumber } from "./fields.js";
import { rcvRead } from "./receiver.js";
import type { SmsHost } from "./state.js";

/** The `+CNMI` setting of each routing (27.005 §3.4.1: <mode>,<mt>,<bm>,<ds>,<bfr>). */
export const CNMI: { [r: string]: string } = {
  stored: "AT+CNMI=2,1,0,2,0",
  direct: "AT+CNMI=2,2,0,1,0",
};

/** A read cut short for an urgent command: true when it is to be queued again (said in the log). */
export function readAgain(s: SmsHost, e: unknown, what: string): boolean {
  if (!AtAbortedError.is(e) || e.reason !== "cut" || !s.rx.active) return false;
  s.log("sms: " + what + " was cut short for an urgent command; reading again");
  return true;
}

export function useMemory(s: SmsHost, mem: string): Promise<void> {
  const rx = s.rx;
  if (mem === "" || mem === rx.mem1) return Promise.resolve();
  let cmd: string;
  try {
    cmd = "AT+CPMS=" + atQuoted("message memory", mem, 8);
  } catch (e) {
    return Promise.reject(e);
  }
  return s.channel.send({ cmd: cmd, prefixes: ["+CPMS:"] }).then(
    function () {
      rx.mem1 = mem;
    },
    function (e: unknown) {
      // A module without +CPMS (issue 14): it reads from the memory it indicates in, its
      // default. Read there and say once what it does not support; never stop receiving.
      if (!AtCommandError.is(e)) throw e;
      if (!rx.told) s.log("sms: the modem does not support " + cmd + " (" + errorText(e) + "): reading from its default memory");
      rx.told = true;
      rx.mem1 = mem;
    },
  );
}

/** Lists one memory (27.005 §3.4.2, `<stat>` 4 = all) and queues a read of every received message. */
function listJob(s: SmsHost, mem: string): Promise<void> {
  return useMemory(s, mem)
    .then(function () {
      return s.channel.send({ cmd: "AT+CMGL=4", mode: "pdu-listing", prefixes: ["+CMGL:"], timeoutMs: s.opts.readTimeoutMs, cuttable: true });
    })
    .then(
      function (r) {
        for (let i = 0; i < r.lines.length; i++) {
          const f = atFields(r.lines[i]);
          const index = atNumber(f[0]);
          const stat = atNumber(f[1]);
          // <stat> 0/1: received unread/read; 2/3 are messages stored for sending, not ours to take.
          if (index < 0 || (stat !== 0 && stat !== 1)) continue;
          s.rx.jobs.add(function () {
            return rcvRead(s, mem, index, "+CMGL");
          }, false);
        }
      },
      function (e) {
        if (!readAgain(s, e, "AT+CMGL=4")) throw e;
        s.rx.jobs.add(function () {
          return listJob(s, mem);
        }, false);
      },
    );
}

/**
 * The sync job (Messaging.start, after every bring-up and modem restart): reads the
 * modem's SMS settings and queues a listing of every memory it stores in. `recovery`:
 * routing was switched off by the modem: set +CNMI again and list what it stored meanwhile.
 */
export function syncJob(s: SmsHost, recovery: boolean): Promise<void> {
  const ch = s.channel;
  const rx = s.rx;
  let p: Promise<unknown> = Promise.resolve();
  if (!recovery) {
    p = ch.send({ cmd: "AT+CSMS?", prefixes: ["+CSMS:"] }).then(
      function (r) {
        rx.service = atNumber(atFields(r.lines[0] || "")[0]);
      },
      function () {
        rx.service = -1;
      },
    );
  }
  if (s.opts.routing === "direct" && !recovery) {
    // A routed message shown before this start (to a firmware that died before it could
    // acknowledge it) still waits for +CNMA; left alone it times out and the modem
    // switches routing off. Refuse it (RP-ERROR): the network delivers it again.
    p = p.then(function () {
      return ch.send("AT+CNMA=2").then(
        function () {
          rx.routing = "direct";
        },
        function (e) {
          // +CMS ERROR: 340, nothing was waiting: the usual case. A bare ERROR: the
          // module has no +CNMA, so with +CSMS=1 nothing it routes could be acknowledged
          // (27.005 §3.4.4: each would time out, the network deliver it again, routing
          // go off): take messages stored instead, which the module acknowledges itself.
          const none = AtCommandError.is(e) && e.kind === "error" && rx.service !== 0;
          rx.routing = none ? "stored" : "direct";
          if (none) s.log("sms: the module has no +CNMA to acknowledge routed messages; taking them stored (+CMTI)");
        },
      );
    });
  }
  if (s.opts.routing === "direct" || recovery) {
    p = p.then(function () {
      return ch.send(CNMI[rx.routing]);
    });
  }
  return p
    .then(function () {
      return ch.send({ cmd: "AT+CPMS?", prefixes: ["+CPMS:"] }).then(
        function (r) {
          const f = atFields(r.lines[0] || "");
          const mems: string[] = [];
          // <mem1>,<used>,<total>,<mem2>,...,<mem3>,...: list where messages are read and where they are stored.
          if (f[0]) mems.push(f[0]);
          if (f[6] && mems.indexOf(f[6]) < 0) mems.push(f[6]);
          if (f[0]) rx.mem1 = f[0];
          return mems;
        },
        function () {
          return [""];
        },
      );
    })
    .then(function (mems) {
      for (let i = 0; i < mems.length; i++) {
        const mem = mems[i];
        rx.jobs.add(function () {
          return listJob(s, mem);
        }, false);
      }
    });
}
