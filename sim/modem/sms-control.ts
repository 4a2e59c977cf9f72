/**
 * Mobile-terminated SMS in the simulated modem (3GPP TS 27.005 §3.4.1 +CNMI routing):
 * store and indicate with `+CMTI: <mem>,<index>`, or route to the client with
 * `+CMT: ,<length>` and the PDU; status reports as `+CDS` / `+CDSI`. With +CSMS=1 every
 * routed message waits for +CNMA (§3.4.4); without it in time the modem reports the
 * failure to the network (which retries, SPEC R75/R90) and turns routing off, as
 * 27.005 §3.4.4 prescribes.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { ModemNetwork, SmsDelivery } from "./network.js";
import type { ModemSettings } from "./settings.js";
import { REC_UNREAD, SmsStore } from "./sms-store.js";
import { MTI_DELIVER, MTI_STATUS_REPORT, decodeDeliver, decodeStatusReport, splitAtPdu } from "../pdu/tpdu.js";

export interface SmsHost {
  readonly settings: ModemSettings;
  readonly clock: Clock;
  readonly network: ModemNetwork;
  readonly store: SmsStore;
  readonly smsSupported: boolean;
  readonly cnmaTimeoutMs: number;
  /** Sends an unsolicited result of one or more lines. */
  urc(...lines: string[]): void;
  /** The text-mode lines of a routed SMS-DELIVER. */
  textCmt?(pdu: string): string[] | undefined;
}

export class SmsControl {
  /** Routed deliveries waiting for +CNMA, first one shown. */
  private awaiting: SmsDelivery[] = [];
  private ackTimer: TimerHandle | undefined = undefined;
  /** Indications held while +CNMI <mode> is 0 (27.005: buffered in the TA). */
  private buffered: string[][] = [];

  constructor(private readonly host: SmsHost) {}

  /** Forgets pending acknowledgements and buffered indications (reboot). */
  reset(): void {
    if (this.ackTimer !== undefined) this.host.clock.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.awaiting = [];
    this.buffered = [];
  }

  /** +CNMI was set: with <mode> 1..3, buffered indications go out (<bfr> 0) or are dropped (<bfr> 1). */
  cnmiChanged(): void {
    const c = this.host.settings.cnmi;
    if (c.mode === 0) return;
    const b = this.buffered;
    this.buffered = [];
    if (c.bfr === 0) for (const lines of b) this.host.urc(...lines);
  }

  private indicate(lines: string[]): void {
    if (this.host.settings.cnmi.mode === 0) this.buffered.push(lines);
    else this.host.urc(...lines);
  }

  /** A message (DELIVER or STATUS-REPORT) from the network. */
  deliver(sms: SmsDelivery): void {
    const net = this.host.network;
    if (!this.host.smsSupported) {
      net.ackSms(sms.deliveryId, "nack");
      return;
    }
    let mti: number;
    let msgClass: number | undefined = undefined;
    let tpduLength: number;
    try {
      const p = splitAtPdu(sms.pdu);
      tpduLength = p.tpdu.length;
      mti = p.tpdu[0] & 3;
      if (mti === MTI_DELIVER) msgClass = decodeDeliver(p.tpdu).msgClass;
      else if (mti === MTI_STATUS_REPORT) decodeStatusReport(p.tpdu);
      else throw new Error("TP-MTI " + mti);
    } catch {
      // A TPDU the modem cannot read is refused at the relay layer (24.011 RP-ERROR).
      net.ackSms(sms.deliveryId, "nack");
      return;
    }
    const s = this.host.settings;
    const buffering = s.cnmi.mode === 0;
    const route =
      mti === MTI_DELIVER
        ? !buffering && (s.cnmi.mt === 2 ? msgClass !== 2 : s.cnmi.mt === 3 ? msgClass === 3 : false)
        : !buffering && s.cnmi.ds === 1;
    if (route) {
      this.awaiting.push({ deliveryId: sms.deliveryId, pdu: sms.pdu.toUpperCase() });
      if (s.csms === 1) {
        if (this.awaiting.length === 1) this.showHead();
      } else {
        // Phase 2 (+CSMS=0): the modem acknowledges by itself.
        this.awaiting.pop();
        this.showRouted(mti, tpduLength, sms.pdu.toUpperCase());
        net.ackSms(sms.deliveryId, "ack");
      }
      return;
    }
    const wantIndication = mti === MTI_DELIVER ? s.cnmi.mt !== 0 || buffering : s.cnmi.ds !== 0 || buffering;
    if (mti === MTI_STATUS_REPORT && !wantIndication) {
      net.ackSms(sms.deliveryId, "ack");
      return;
    }
    const memName = s.cpms[2];
    const mem = this.host.store.mem(memName);
    const stored = mem ? mem.put(REC_UNREAD, sms.pdu) : undefined;
    if (!stored) {
      // Memory capacity exceeded (24.011 RP cause 22): the network keeps the message.
      net.ackSms(sms.deliveryId, "nack");
      return;
    }
    net.ackSms(sms.deliveryId, "ack");
    if (!wantIndication) return;
    this.indicate([(mti === MTI_DELIVER ? "+CMTI: " : "+CDSI: ") + '"' + memName + '",' + stored.index]);
  }

  private showRouted(mti: number, length: number, pdu: string): void {
    // Text mode (+CMGF=1): +CMT: <oa>,[<alpha>],<scts>[,...]<CR><LF><data> (27.005 §3.4.1, commands/sms-text.ts).
    const text = mti === MTI_DELIVER && this.host.settings.cmgf === 1 && this.host.textCmt ? this.host.textCmt(pdu) : undefined;
    if (text) {
      this.host.urc(...text);
      return;
    }
    // 27.005 §3.4.1: +CMT: [<alpha>],<length><CR><LF><pdu> and +CDS: <length><CR><LF><pdu>.
    this.host.urc(mti === MTI_DELIVER ? "+CMT: ," + length : "+CDS: " + length, pdu);
  }

  private showHead(): void {
    const head = this.awaiting[0];
    if (!head) return;
    const p = splitAtPdu(head.pdu);
    this.showRouted(p.tpdu[0] & 3, p.tpdu.length, head.pdu);
    this.ackTimer = this.host.clock.setTimeout(() => this.ackTimeout(), this.host.cnmaTimeoutMs);
  }

  private ackTimeout(): void {
    this.ackTimer = undefined;
    const head = this.awaiting.shift();
    if (!head) return;
    this.host.network.ackSms(head.deliveryId, "timeout");
    // 27.005 §3.4.4: without the acknowledgement in time, routing to the TE is switched off.
    const c = this.host.settings.cnmi;
    c.mt = 0;
    c.ds = 0;
    // Messages queued behind it were never shown; the network gets them back.
    for (const rest of this.awaiting.splice(0, this.awaiting.length)) this.host.network.ackSms(rest.deliveryId, "nack");
  }

  /** +CNMA: acknowledges (or with `ok` false, refuses) the routed message shown last; false if none is waiting. */
  acknowledge(ok: boolean): boolean {
    if (this.host.settings.csms !== 1 || this.awaiting.length === 0 || this.ackTimer === undefined) return false;
    this.host.clock.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const head = this.awaiting.shift()!;
    this.host.network.ackSms(head.deliveryId, ok ? "ack" : "nack");
    if (this.awaiting.length > 0) this.showHead();
    return true;
  }
}
