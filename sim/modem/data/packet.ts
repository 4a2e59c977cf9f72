/**
 * Packet data of the simulated modem (3GPP TS 27.007 §10): PDP context definitions
 * (+CGDCONT, Quectel +QICSGP), packet attach (+CGATT), context activation (+CGACT,
 * +QIACT, +NETOPEN) and the `+CGEV` event reports (§10.1.19) under `+CGEREP`.
 *
 * On LTE the packet attach is the registration itself (24.301 §5.5.1.2, combined attach),
 * so the modem is attached while it is registered, unless the client detached it with
 * `AT+CGATT=0`. Contexts are active only when the client asks for them (a choice: real
 * modules differ on whether the attach's default bearer shows as context 1).
 *
 * Losing the registration (coverage loss, the network unregistering the accessory, R15),
 * a network-initiated deactivation (`pdpdeact`), a reboot or `+CFUN=0` ends the contexts,
 * and with them every socket and MQTT session bound to them: the `DataUser`s (the vendor
 * socket and MQTT stacks) hear of it and show their own notices.
 */
import type { SimModem } from "../modem.js";
import { CME, cme } from "../results.js";

export type PdpType = "IP" | "IPV6" | "IPV4V6";
export const PDP_TYPES: PdpType[] = ["IP", "IPV6", "IPV4V6"];

/** Context ids 1..15 (27.007 §10.1.1 leaves the range to the MT; Quectel 1..16, SIMCom 1..15). */
export const MAX_CID = 15;

export interface PdpContext {
  cid: number;
  type: PdpType;
  apn: string;
  /** Quectel +QICSGP credentials and <authentication> (0 none, 1 PAP, 2 CHAP, 3 PAP or CHAP). */
  user: string;
  password: string;
  auth: number;
  active: boolean;
  /** The address the network assigned while active, else "0.0.0.0". */
  address: string;
}

/** Who ended a context: the client (`me`) or the network (`nw`). */
export type EndedBy = "me" | "nw";

/** A vendor stack (sockets, MQTT) that uses contexts and must hear when one ends. */
export interface DataUser {
  /** Context `cid` is no longer active: close what runs on it and show the vendor's notice. */
  contextEnded(cid: number, by: EndedBy): void;
  /** The modem rebooted: drop everything without a word. */
  reset(): void;
}

/** 24.301 ESM cause (§9.9.4.4) to the 27.007 §9.2.3 error the client sees. */
function esmToCme(cause: number): number {
  if (cause === 27) return CME.unknownApn;
  if (cause === 29) return CME.pdpAuthenticationFailure;
  if (cause === 32) return CME.serviceOptionNotSupported;
  if (cause === 33) return CME.serviceOptionNotSubscribed;
  if (cause === 34) return CME.serviceOptionOutOfOrder;
  return CME.unspecifiedGprsError;
}

/** At most this many +CGEV reports wait in the MT while +CGEREP <mode> is 0 (the rest are discarded). */
const CGEV_BUFFER = 16;

export class PacketData {
  private readonly contexts: PdpContext[] = [];
  /** AT+CGATT=0: the client detached; registration alone does not reattach. */
  meDetached = false;
  /** +CGEREP <mode> and <bfr> (27.007 §10.1.18). */
  cgerep = { mode: 0, bfr: 0 };
  private buffered: string[] = [];
  private readonly users: DataUser[] = [];
  private localAddress = 1;

  constructor(private readonly m: SimModem) {
    this.define(1, "IP", "");
  }

  addUser(u: DataUser): void {
    this.users.push(u);
  }

  /** Packet-domain attached: registered (home or roaming) and not detached by the client. */
  attached(): boolean {
    return this.m.registered() && !this.meDetached;
  }

  /** Defined contexts in cid order. */
  list(): PdpContext[] {
    return this.contexts.slice().sort((a, b) => a.cid - b.cid);
  }

  get(cid: number): PdpContext | undefined {
    for (const c of this.contexts) if (c.cid === cid) return c;
    return undefined;
  }

  /** Defines (or redefines) context `cid`; an active context cannot change (27.007 §10.1.1 leaves it to the MT: we refuse). */
  define(cid: number, type: PdpType, apn: string, auth?: { user: string; password: string; auth: number }): PdpContext {
    let c = this.get(cid);
    if (c && c.active) throw cme(CME.notAllowed);
    if (!c) {
      c = { cid, type, apn, user: "", password: "", auth: 0, active: false, address: "0.0.0.0" };
      this.contexts.push(c);
    }
    c.type = type;
    c.apn = apn;
    if (auth) {
      c.user = auth.user;
      c.password = auth.password;
      c.auth = auth.auth;
    }
    return c;
  }

  /** `AT+CGDCONT=<cid>`: the context becomes undefined (an active one cannot). */
  undefine(cid: number): void {
    const c = this.get(cid);
    if (!c) return;
    if (c.active) throw cme(CME.notAllowed);
    this.contexts.splice(this.contexts.indexOf(c), 1);
  }

  /** Activates `cid` (attaching first if the client had detached, 27.007 §10.1.10); fails with a 27.007 §9.2 error. */
  activate(cid: number): PdpContext {
    const c = this.get(cid);
    if (!c) throw cme(CME.incorrectParameters);
    if (c.active) return c;
    if (!this.m.registered()) throw cme(CME.noNetwork);
    this.meDetached = false;
    const net = this.m.network;
    let address: string;
    if (net.activatePdn) {
      const grant = net.activatePdn(cid, c.apn);
      if (!grant.ok) throw cme(esmToCme(grant.esmCause));
      address = grant.address;
    } else address = "10.0.0." + (1 + (this.localAddress++ % 250));
    c.active = true;
    c.address = address;
    this.report("ME PDN ACT " + cid);
    return c;
  }

  /** The client ends `cid` (+CGACT=0, +QIDEACT, +NETCLOSE). */
  deactivate(cid: number): void {
    const c = this.get(cid);
    if (!c || !c.active) return;
    this.end(c, "me");
    if (this.m.network.deactivatePdn) this.m.network.deactivatePdn(cid);
    this.report("ME PDN DEACT " + cid);
  }

  /** The network ended `cid`, or all contexts (`undefined`). */
  networkDeactivated(cid: number | undefined): void {
    for (const c of this.list()) {
      if (!c.active || (cid !== undefined && c.cid !== cid)) continue;
      this.report("NW PDN DEACT " + c.cid);
      this.end(c, "nw");
    }
  }

  /** AT+CGATT=0: every context ends, then the detach (27.007 §10.1.9). */
  detachByMe(): void {
    for (const c of this.list()) if (c.active) this.deactivate(c.cid);
    if (!this.meDetached && this.m.registered()) this.report("ME DETACH");
    this.meDetached = true;
  }

  /** The registration was lost (or the radio went off): contexts end as the network's doing, then `NW DETACH`. */
  registrationLost(): void {
    const had = this.contexts.some((c) => c.active);
    this.networkDeactivated(undefined);
    if (had || !this.meDetached) this.report("NW DETACH");
  }

  /** A reboot: contexts back to inactive (definitions stay, as in a module's NV), users drop everything. */
  reset(): void {
    for (const c of this.contexts) {
      c.active = false;
      c.address = "0.0.0.0";
    }
    this.meDetached = false;
    this.cgerep = { mode: 0, bfr: 0 };
    this.buffered = [];
    for (const u of this.users) u.reset();
  }

  private end(c: PdpContext, by: EndedBy): void {
    c.active = false;
    c.address = "0.0.0.0";
    for (const u of this.users) u.contextEnded(c.cid, by);
  }

  /** +CGEREP changed: with <bfr> 1 the buffered reports go out, with 0 they are cleared (27.007 §10.1.18). */
  setReporting(mode: number, bfr: number): void {
    this.cgerep = { mode, bfr };
    if (mode === 0) return;
    const held = this.buffered;
    this.buffered = [];
    if (bfr === 1) for (const r of held) this.m.urc("+CGEV: " + r);
  }

  /**
   * A `+CGEV` report. <mode> 0 keeps it in the MT; 1 and 2 forward it (a report due
   * while a command runs waits for its final result either way: the modem never breaks
   * into a response, which is <mode> 2's behaviour).
   */
  private report(event: string): void {
    if (this.cgerep.mode === 0) {
      if (this.buffered.length < CGEV_BUFFER) this.buffered.push(event);
      return;
    }
    this.m.urc("+CGEV: " + event);
  }
}
