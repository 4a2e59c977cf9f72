/**
 * The AT side of receiving (27.005 §3.4): both delivery paths, and the resync.
 *
 * - Stored (`+CNMI=2,1,0,2,0`, what bring-up sets): `+CMTI: <mem>,<index>` and
 *   `+CDSI: <mem>,<index>`. The slot is read (`AT+CMGR`), the PDU persisted, then the
 *   slot deleted (`AT+CMGD`): read, persist and delete are one job, so a slot is only
 *   ever deleted by the job that persisted what it held.
 * - Routed (`+CNMI=2,2,0,1,0`, option `routing: "direct"`): `+CMT: [<alpha>],<length>`
 *   and `+CDS: <length>` with the PDU on the next line. The PDU is persisted, then
 *   acknowledged with `AT+CNMA` (needed with `+CSMS=1`, §3.4.4). If persisting fails the
 *   message is refused with `AT+CNMA=2` so the network keeps it. A late or missing
 *   acknowledgement makes modems switch routing off (27.005 §3.4.4; nRF91: `+CMS ERROR:
 *   524`, then no more `+CMT`): a refused `+CNMA` turns routing on again and lists the
 *   store, where the modem keeps what it could not route.
 * - With routed delivery, every start first refuses (`AT+CNMA=2`) a message the modem
 *   may still hold for a firmware that died before acknowledging it, so that the missing
 *   acknowledgement does not switch routing off; the network delivers it again. A bare
 *   `ERROR` to it (not `+CMS ERROR: 340`) means the module has no `+CNMA`: messages are
 *   then taken stored, since none routed could be acknowledged (R75).
 * - At every start (and after a modem restart) `AT+CMGL=4` lists what is already stored,
 *   so messages that arrived while the firmware was off are not lost (serialport-gsm
 *   #65), and every listed slot is read, persisted and deleted like a `+CMTI`.
 * - Reads (`+CMGR`, `+CMGL`) are `cuttable`: an emergency dial does not wait behind a
 *   read stuck mid-PDU (R45). A cut read is not trusted (its PDU lines may be lost) and
 *   is queued again; nothing is deleted, so the modem still holds the message.
 */
import { AtAbortedError, AtCommandError, atInt, atQuoted, type AtChannel } from "../../drivers/at/index.js";
import type { Incoming } from "./incoming.js";
import { JobQueue } from "./jobs.js";
import { errorText } from "./errors.js";
import { atFields, atNumber } from "./fields.js";

export type Routing = "stored" | "direct";

export interface ReceiverOptions {
  routing: Routing;
  /** Time limit of `AT+CMGL` and `AT+CMGR` (ms). */
  readTimeoutMs: number;
}

/** The `+CNMI` setting of each routing (27.005 §3.4.1: <mode>,<mt>,<bm>,<ds>,<bfr>). */
export const CNMI: { [r: string]: string } = {
  stored: "AT+CNMI=2,1,0,2,0",
  direct: "AT+CNMI=2,2,0,1,0",
};

export class Receiver {
  private readonly jobs: JobQueue;
  /** The `<mem1>` (read/delete memory) as last learned or set; "" unknown. */
  private mem1 = "";
  /** `+CSMS` service: 1 needs `+CNMA`; -1 unknown (treated as 1, what bring-up asks for). */
  private service = -1;
  private recovering = false;
  private active = false;
  /** The routing in use: `opts.routing`, or `stored` on a module without +CNMA. */
  private routing: Routing;

  constructor(
    private readonly channel: AtChannel,
    private readonly incoming: Incoming,
    private readonly opts: ReceiverOptions,
    private readonly log: (line: string) => void,
    private readonly settled: () => void,
  ) {
    this.routing = opts.routing;
    const self = this;
    this.jobs = new JobQueue(function (e) {
      self.log("sms: receive job failed: " + errorText(e));
    });
    channel.onUrc("+CMTI:", function (line) {
      self.onStored(line);
    });
    channel.onUrc("+CDSI:", function (line) {
      self.onStored(line);
    });
    channel.onUrc(
      "+CMT:",
      function (line, pdu) {
        self.onRouted(line, pdu, "+CMT");
      },
      { pdu: true },
    );
    channel.onUrc(
      "+CDS:",
      function (line, pdu) {
        self.onRouted(line, pdu, "+CDS");
      },
      { pdu: true },
    );
  }

  /** Reads the modem's SMS settings and everything it has stored (at start and after a modem restart). */
  sync(): void {
    this.active = true;
    this.jobs.clear();
    this.mem1 = "";
    this.recovering = false;
    const self = this;
    this.jobs.add(function () {
      return self.syncJob(false);
    }, false);
  }

  /** The modem restarted: what was queued is re-read by the next sync. */
  reset(): void {
    this.active = false;
    this.jobs.clear();
    this.mem1 = "";
  }

  private noCpmsTold = false;

  /** Holds every job until `loaded` settles. */
  holdUntil(loaded: Promise<unknown>): void {
    this.jobs.hold(loaded);
  }

  /** Jobs running or waiting. */
  busy(): boolean {
    return this.jobs.busy();
  }

  /** Runs `job` on the receive queue (settling expired messages, for instance). */
  run(job: () => Promise<void>): void {
    this.jobs.add(job, false);
  }

  private syncJob(recovery: boolean): Promise<void> {
    const ch = this.channel;
    const self = this;
    let p: Promise<unknown> = Promise.resolve();
    if (!recovery) {
      p = ch.send({ cmd: "AT+CSMS?", prefixes: ["+CSMS:"] }).then(
        function (r) {
          self.service = atNumber(atFields(r.lines[0] || "")[0]);
        },
        function () {
          self.service = -1;
        },
      );
    }
    if (this.opts.routing === "direct" && !recovery) {
      // A routed message shown before this start (to a firmware that died before it could
      // acknowledge it) still waits for +CNMA; left alone it times out and the modem
      // switches routing off. Refuse it (RP-ERROR): the network delivers it again.
      p = p.then(function () {
        return ch.send("AT+CNMA=2").then(
          function () {
            self.routing = "direct";
          },
          function (e) {
            // +CMS ERROR: 340, nothing was waiting: the usual case. A bare ERROR: the
            // module has no +CNMA, so with +CSMS=1 nothing it routes could be acknowledged
            // (27.005 §3.4.4: each would time out, the network deliver it again, routing
            // go off): take messages stored instead, which the module acknowledges itself.
            const none = AtCommandError.is(e) && e.kind === "error" && self.service !== 0;
            self.routing = none ? "stored" : "direct";
            if (none) self.log("sms: the module has no +CNMA to acknowledge routed messages; taking them stored (+CMTI)");
          },
        );
      });
    }
    if (this.opts.routing === "direct" || recovery) {
      p = p.then(function () {
        return ch.send(CNMI[self.routing]);
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
            if (f[0]) self.mem1 = f[0];
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
          self.jobs.add(function () {
            return self.listJob(mem);
          }, false);
        }
      });
  }

  /** Lists one memory (27.005 §3.4.2, `<stat>` 4 = all) and queues a read of every received message. */
  private listJob(mem: string): Promise<void> {
    const self = this;
    return this.useMemory(mem)
      .then(function () {
        return self.channel.send({ cmd: "AT+CMGL=4", mode: "pdu-listing", prefixes: ["+CMGL:"], timeoutMs: self.opts.readTimeoutMs, cuttable: true });
      })
      .then(function (r) {
        for (let i = 0; i < r.lines.length; i++) {
          const f = atFields(r.lines[i]);
          const index = atNumber(f[0]);
          const stat = atNumber(f[1]);
          // <stat> 0/1: received unread/read; 2/3 are messages stored for sending, not ours to take.
          if (index < 0 || (stat !== 0 && stat !== 1)) continue;
          self.jobs.add(function () {
            return self.readSlot(mem, index, "+CMGL");
          }, false);
        }
      }, function (e) {
        if (!self.readAgain(e, "AT+CMGL=4")) throw e;
        self.jobs.add(function () {
          return self.listJob(mem);
        }, false);
      });
  }

  /** A read cut short for an urgent command: true when it is to be queued again (said in the log). */
  private readAgain(e: unknown, what: string): boolean {
    if (!AtAbortedError.is(e) || e.reason !== "cut" || !this.active) return false;
    this.log("sms: " + what + " was cut short for an urgent command; reading again");
    return true;
  }

  private useMemory(mem: string): Promise<void> {
    if (mem === "" || mem === this.mem1) return Promise.resolve();
    const self = this;
    let cmd: string;
    try {
      cmd = "AT+CPMS=" + atQuoted("message memory", mem, 8);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.channel.send({ cmd: cmd, prefixes: ["+CPMS:"] }).then(
      function () {
        self.mem1 = mem;
      },
      function (e: unknown) {
        // A module without +CPMS (issue 14): it reads from the memory it indicates in, its
        // default. Read there and say once what it does not support; never stop receiving.
        if (!AtCommandError.is(e)) throw e;
        if (!self.noCpmsTold) self.log("sms: the modem does not support " + cmd + " (" + errorText(e) + "): reading from its default memory");
        self.noCpmsTold = true;
        self.mem1 = mem;
      },
    );
  }

  private onStored(line: string): void {
    const f = atFields(line);
    const index = atNumber(f[1]);
    if (index < 0) {
      this.log("sms: unreadable indication ignored: " + line);
      return;
    }
    const mem = f[0];
    const self = this;
    this.jobs.add(function () {
      return self.readSlot(mem, index, "+CMGR");
    }, false);
  }

  /** Read, persist, delete: one slot, one job (27.005 §3.4.3 +CMGR, §3.5.4 +CMGD). */
  private readSlot(mem: string, index: number, source: string): Promise<void> {
    const self = this;
    const ch = this.channel;
    let group = "";
    return this.useMemory(mem)
      .then(function () {
        return ch.send({ cmd: "AT+CMGR=" + atInt("message index", index, 0, 65535), mode: "pdu-listing", prefixes: ["+CMGR:"], timeoutMs: self.opts.readTimeoutMs, cuttable: true });
      })
      .then(
        function (r) {
          if (r.lines.length === 0) return false; // an empty slot
          const f = atFields(r.lines[0]);
          const stat = atNumber(f[0]);
          if (stat === 2 || stat === 3) return false;
          const accepted =
            r.pdus.length === 0
              ? self.incoming.setAside(r.lines[0], "no PDU line after the header", source)
              : self.incoming.accept(r.pdus[0].pdu, atNumber(f[f.length - 1]) >= 0 ? atNumber(f[f.length - 1]) : undefined, source);
          return accepted.then(function (g) {
            group = g;
            return true;
          });
        },
        function (e) {
          // 27.005 §3.2.5: 321 invalid index, i.e. nothing there (already taken).
          if (AtCommandError.is(e) && e.kind === "cms" && e.code === 321) return false;
          if (self.readAgain(e, "AT+CMGR=" + index)) {
            self.jobs.add(function () {
              return self.readSlot(mem, index, source);
            }, false);
            return false;
          }
          throw e;
        },
      )
      .then(function (persisted) {
        if (!persisted) return undefined;
        return ch.send("AT+CMGD=" + atInt("message index", index, 0, 65535));
      })
      .then(function () {
        return self.incoming.settle(group).then(self.settled);
      });
  }

  private onRouted(line: string, pdu: string | undefined, source: string): void {
    const f = atFields(line);
    const length = atNumber(f[f.length - 1]);
    const self = this;
    // Urgent: the acknowledgement has a deadline (24.011 TR2M, some seconds).
    this.jobs.add(function () {
      let group = "";
      const accepted =
        pdu === undefined
          ? self.incoming.setAside(line, "no PDU line after the header", source)
          : self.incoming.accept(pdu, length >= 0 ? length : undefined, source);
      return accepted.then(
        function (g) {
          group = g;
          return self.acknowledge(true).then(function () {
            return self.incoming.settle(group).then(self.settled);
          });
        },
        function (e) {
          self.log("sms: " + source + " could not be stored (" + errorText(e) + "); refused so the network keeps it");
          return self.acknowledge(false);
        },
      );
    }, true);
  }

  private acknowledge(ok: boolean): Promise<void> {
    if (this.service === 0) return Promise.resolve(); // phase 2: the modem acknowledges itself
    const self = this;
    return this.channel.send(ok ? "AT+CNMA" : "AT+CNMA=2").then(
      function () {
        return undefined;
      },
      function (e) {
        self.log("sms: +CNMA refused (" + errorText(e) + "): the acknowledgement came too late; turning routing on again");
        self.recover();
      },
    );
  }

  /** Routing was switched off by the modem: set +CNMI again and list what it stored meanwhile. */
  private recover(): void {
    if (this.recovering || !this.active) return;
    this.recovering = true;
    const self = this;
    this.jobs.add(function () {
      return self.syncJob(true).then(
        function () {
          self.recovering = false;
        },
        function (e) {
          self.recovering = false;
          throw e;
        },
      );
    }, false);
  }
}
