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
 *
 * The cold module `sl.rcv` on the watch (tools/bundle.ts COLD_MODULES), with what a PDU
 * goes through (incoming.ts: decoding, reassembly, the inbox, the quarantine): plain
 * functions over the hot state (state.ts `RxState` and the rest), run as jobs of the hot
 * queue. The URC handlers, the queue, the expiry timer and the sync with its listing
 * (sync.ts: at every start, where this module is needed only if the modem holds a
 * message) stay in the boot code (Messaging).
 */
import { AtCommandError, atInt } from "../../drivers/at/index.js";
import { errorText } from "./errors.js";
import { atFields, atNumber } from "./fields.js";
import { loadInbox } from "./inbox.js";
import { acceptPdu, loadParts, setAside, settle, settleAll } from "./incoming.js";
import { loadQuarantine } from "./quarantine.js";
import type { SmsHost } from "./state.js";
import { readAgain, syncJob, useMemory } from "./sync.js";

export { listInbox, removeFromInbox } from "./inbox.js";
export { listQuarantine } from "./quarantine.js";

export type Routing = "stored" | "direct";

/** Read, persist, delete: one slot, one job (27.005 §3.4.3 +CMGR, §3.5.4 +CMGD). */
export function rcvRead(s: SmsHost, mem: string, index: number, source: string): Promise<void> {
  const ch = s.channel;
  let group = "";
  return useMemory(s, mem)
    .then(function () {
      return ch.send({ cmd: "AT+CMGR=" + atInt("message index", index, 0, 65535), mode: "pdu-listing", prefixes: ["+CMGR:"], timeoutMs: s.opts.readTimeoutMs, cuttable: true });
    })
    .then(
      function (r) {
        if (r.lines.length === 0) return false; // an empty slot
        const f = atFields(r.lines[0]);
        const stat = atNumber(f[0]);
        if (stat === 2 || stat === 3) return false;
        const accepted =
          r.pdus.length === 0
            ? setAside(s, r.lines[0], "no PDU line after the header", source)
            : acceptPdu(s, r.pdus[0].pdu, atNumber(f[f.length - 1]) >= 0 ? atNumber(f[f.length - 1]) : undefined, source);
        return accepted.then(function (g) {
          group = g;
          return true;
        });
      },
      function (e) {
        // 27.005 §3.2.5: 321 invalid index, i.e. nothing there (already taken).
        if (AtCommandError.is(e) && e.kind === "cms" && e.code === 321) return false;
        if (readAgain(s, e, "AT+CMGR=" + index)) {
          s.rx.jobs.add(function () {
            return rcvRead(s, mem, index, source);
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
      return settle(s, group).then(function () {
        s.armExpiry();
      });
    });
}

/** Routing was switched off by the modem: set +CNMI again and list what it stored meanwhile. */
function recover(s: SmsHost): void {
  const rx = s.rx;
  if (rx.recovering || !rx.active) return;
  rx.recovering = true;
  rx.jobs.add(function () {
    return syncJob(s, true).then(
      function () {
        rx.recovering = false;
      },
      function (e) {
        rx.recovering = false;
        throw e;
      },
    );
  }, false);
}

function acknowledge(s: SmsHost, ok: boolean): Promise<void> {
  if (s.rx.service === 0) return Promise.resolve(); // phase 2: the modem acknowledges itself
  return s.channel.send(ok ? "AT+CNMA" : "AT+CNMA=2").then(
    function () {
      return undefined;
    },
    function (e) {
      s.log("sms: +CNMA refused (" + errorText(e) + "): the acknowledgement came too late; turning routing on again");
      recover(s);
    },
  );
}

/** The job of a `+CMTI` / `+CDSI` (stored: read, persist, delete the slot it names). */
export function rcvStored(s: SmsHost, line: string): Promise<void> {
  const f = atFields(line);
  const index = atNumber(f[1]);
  if (index < 0) {
    s.log("sms: unreadable indication ignored: " + line);
    return Promise.resolve();
  }
  return rcvRead(s, f[0], index, "+CMGR");
}

/** The job of a `+CMT` / `+CDS` with its PDU (routed: persist, then acknowledge; refuse when it could not be kept). */
export function rcvRouted(s: SmsHost, line: string, pdu: string | undefined): Promise<void> {
  const f = atFields(line);
  const length = atNumber(f[f.length - 1]);
  const source = line.indexOf("+CDS") === 0 ? "+CDS" : "+CMT";
  let group = "";
  const accepted = pdu === undefined ? setAside(s, line, "no PDU line after the header", source) : acceptPdu(s, pdu, length >= 0 ? length : undefined, source);
  return accepted.then(
    function (g) {
      group = g;
      return acknowledge(s, true).then(function () {
        return settle(s, group).then(function () {
          s.armExpiry();
        });
      });
    },
    function (e) {
      s.log("sms: " + source + " could not be stored (" + errorText(e) + "); refused so the network keeps it");
      return acknowledge(s, false);
    },
  );
}

/** The expiry timer's job: incomplete messages whose time is up go into the inbox. */
export function rcvExpired(s: SmsHost): Promise<void> {
  return settleAll(s).then(function () {
    s.armExpiry();
  });
}

/**
 * Reads the receive side's records at start: the inbox, the quarantine, then the parts
 * held (settling what is due); each failure is logged and the rest goes on.
 */
export function rcvLoad(s: SmsHost): Promise<void> {
  const failed = function (what: string) {
    return function (e: unknown) {
      s.log("sms: loading " + what + " failed: " + errorText(e));
    };
  };
  return loadInbox(s)
    .then(undefined, failed("the inbox"))
    .then(function () {
      return loadQuarantine(s);
    })
    .then(undefined, failed("the quarantine"))
    .then(function () {
      return loadParts(s);
    })
    .then(undefined, failed("received parts"));
}
