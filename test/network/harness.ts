/**
 * A shared-number network on a virtual clock with accessories that are full simulated
 * modems on in-memory lines: tests type raw AT at an accessory (`await a1.at("ATA")`)
 * and get exactly the bytes its modem sent back, and read the network's log.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { SimModem, SimModemOptions } from "../../sim/modem/modem.js";
import { AccessoryInfo, AccessoryPort, ManagementSite, NetworkParams, NumberOptions, SharedNetwork, SharedNumber } from "../../sim/network/index.js";
import type { LogEntry, LogQuery } from "../../sim/network/index.js";
import { modemLine, ModemLine } from "../support/modem-line.js";

export const MSISDN = "+819012345678";
export const CALLER = "+818011112222";

export interface Acc extends ModemLine {
  port: AccessoryPort;
  modem: SimModem;
}

export interface World {
  clock: VirtualClock;
  net: SharedNetwork;
  num: SharedNumber;
  site: ManagementSite;
  /** Adds an accessory (registered unless `register: false`) with a simulated modem, echo off. */
  accessory(info?: Partial<AccessoryInfo>, opts?: { register?: boolean; modem?: Partial<SimModemOptions>; msisdn?: string; init?: string }): Promise<Acc>;
  /** Lets virtual time pass. */
  run(ms?: number): Promise<void>;
  /** Log entries matching `q`. */
  log(q?: LogQuery): LogEntry[];
  /** The kinds of the log entries matching `q`, in order. */
  kinds(q?: LogQuery): string[];
}

let imeiSeq = 10;

/** A 15-digit IMEI that differs per call. */
export function nextImei(): string {
  return "3569380356438" + String(imeiSeq++ % 100).padStart(2, "0");
}

export async function world(opts: { params?: Partial<NetworkParams>; number?: NumberOptions; msisdn?: string } = {}): Promise<World> {
  const clock = new VirtualClock();
  const net = new SharedNetwork({ clock, params: opts.params });
  const num = net.createNumber(opts.msisdn || MSISDN, opts.number);
  let count = 0;
  const w: World = {
    clock,
    net,
    num,
    site: new ManagementSite(net),
    async accessory(info = {}, o = {}) {
      count++;
      const full: AccessoryInfo = {
        imei: nextImei(),
        friendlyName: "Watch " + count,
        model: "SL-W" + count,
        sms: "native",
        callWaiting: true,
        ...info,
      };
      const msisdn = o.msisdn || num.msisdn;
      const port = net.portFor(msisdn, full, { register: o.register });
      const modem = new SimModem({ clock, network: port, identity: { imei: full.imei, msisdn }, smsSupported: full.sms !== "none", ...(o.modem || {}) });
      const acc: Acc = { port, modem, ...(await modemLine(modem, clock)) };
      await acc.at(o.init === undefined ? "ATE0" : o.init);
      acc.take();
      return acc;
    },
    run(ms = 0) {
      return clock.advance(ms);
    },
    log(q = {}) {
      return net.log.find(q);
    },
    kinds(q = {}) {
      return net.log.find(q).map((e) => e.kind);
    },
  };
  return w;
}

/** Runs `fn`, which must throw an error of `type` (a `defineError` type); returns it, typed. */
export function caught<F extends object>(type: { is(e: unknown): e is Error & F }, fn: () => unknown): Error & F {
  try {
    fn();
  } catch (e) {
    if (type.is(e)) return e;
    throw e;
  }
  throw new Error("nothing was thrown");
}

/** The +CEER line of a modem (27.007 §6.10), as it prints it. */
export async function ceer(a: Acc): Promise<string> {
  return a.at("AT+CEER");
}
