/**
 * The SIM as clients reach it through the modem: PIN retry counters (27.007 §8.65
 * +CPINR), restricted SIM access (§8.18 +CRSM: READ BINARY, READ RECORD, GET RESPONSE,
 * STATUS on the files of sim-files.ts) and generic SIM access (§8.17 +CSIM: the same
 * as raw APDUs, 51.011 §9 class A0 and 102.221 class 00).
 */
import type { SimModem } from "../modem.js";
import { CME, cme, ok } from "../results.js";
import { getResponse, simFiles, toHexBytes, type SimFile } from "../sim-files.js";
import type { CommandTable } from "./types.js";

function files(m: SimModem): SimFile[] {
  const id = m.identity;
  const op = m.registration.operator;
  return simFiles({ iccid: id.iccid, imsi: id.imsi, msisdn: id.msisdn, spn: op.short || op.long || "SIM", mncLength: 2 });
}

function find(m: SimModem, fid: number): SimFile | undefined {
  return files(m).find((f) => f.id === fid);
}

/** One access to an EF: status words and data. 51.011 §9.4: 6A82 file not found, 6B00 wrong P1/P2, 9000 ok. */
function access(m: SimModem, ins: number, fid: number, p1: number, p2: number, p3: number): { sw: [number, number]; data: number[] } {
  if (ins === 0xf2) return { sw: [0x90, 0x00], data: [] }; // STATUS: the current DF is fine
  const f = find(m, fid);
  if (!f) return { sw: [0x6a, 0x82], data: [] };
  if (ins === 0xc0) return { sw: [0x90, 0x00], data: getResponse(f) };
  if (ins === 0xb0) {
    if (f.structure !== "transparent") return { sw: [0x69, 0x81], data: [] };
    const body = f.records[0];
    const off = (p1 << 8) | p2;
    if (off > body.length) return { sw: [0x6b, 0x00], data: [] };
    const len = p3 === 0 ? body.length - off : p3;
    if (off + len > body.length) return { sw: [0x67, 0x00], data: [] };
    return { sw: [0x90, 0x00], data: body.slice(off, off + len) };
  }
  if (ins === 0xb2) {
    if (f.structure !== "linear") return { sw: [0x69, 0x81], data: [] };
    // P2 = 04: absolute record number P1 (51.011 §9.2.5).
    if (p2 !== 0x04 || p1 < 1 || p1 > f.records.length) return { sw: [0x6a, 0x83], data: [] };
    return { sw: [0x90, 0x00], data: f.records[p1 - 1] };
  }
  if (ins === 0xd6 || ins === 0xdc) return { sw: [0x69, 0x82], data: [] }; // updates: security status not satisfied
  return { sw: [0x6d, 0x00], data: [] };
}

function hexBytes(s: string): number[] | undefined {
  if (s.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(s)) return undefined;
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) out.push(parseInt(s.slice(i, i + 2), 16));
  return out;
}

/** The file a +CSIM session has selected (APDUs carry no file id after SELECT). */
const selected = new WeakMap<SimModem, number>();

export const simCardCommands: CommandTable = {
  "+CPINR": {
    // 27.007 §8.65: +CPINR: <code>,<retries>,<default_retries> for each code matching <sel_code> (wildcard *).
    action: (m) => ok(...cpinrLines(m, "*")),
    set: (m, a) => ok(...cpinrLines(m, a.str(0))),
    test: () => ok(),
  },
  "+CRSM": {
    needsSim: true,
    set: (m, a) => {
      const ins = a.int(0, 0, 255);
      const fid = a.int(1, 0, 0xffff, 0);
      const r = access(m, ins, fid, a.int(2, 0, 255, 0), a.int(3, 0, 255, 0), a.int(4, 0, 255, 0));
      return ok("+CRSM: " + r.sw[0] + "," + r.sw[1] + (r.data.length ? ',"' + toHexBytes(r.data) + '"' : ""));
    },
    test: () => ok(),
  },
  "+CSIM": {
    needsSim: true,
    set: (m, a) => {
      const length = a.int(0, 0, 520);
      const apdu = hexBytes(a.str(1));
      if (!apdu || apdu.length * 2 !== length || apdu.length < 4) throw cme(CME.incorrectParameters);
      const [, ins, p1, p2] = apdu;
      const p3 = apdu.length > 4 ? apdu[4] : 0;
      let out: number[];
      if (ins === 0xa4) {
        // SELECT by file id: the last two data bytes. 2G answers 9F <len>, 3G 61 <len>: GET RESPONSE follows.
        const body = apdu.slice(5, 5 + p3);
        const fid = body.length >= 2 ? (body[body.length - 2] << 8) | body[body.length - 1] : 0;
        if (fid === 0x3f00 || fid === 0x7f20 || fid === 0x7fff || fid === 0x7f10) {
          selected.delete(m);
          out = [0x90, 0x00];
        } else if (find(m, fid)) {
          selected.set(m, fid);
          out = [apdu[0] === 0xa0 ? 0x9f : 0x61, getResponse(find(m, fid)!).length];
        } else out = [0x6a, 0x82];
      } else {
        const fid = selected.get(m);
        if (fid === undefined && ins !== 0xf2) out = [0x69, 0x86]; // no current EF
        else {
          const r = access(m, ins, fid || 0, p1, p2, p3);
          out = r.data.concat(r.sw);
        }
      }
      const hex = toHexBytes(out);
      return ok("+CSIM: " + hex.length + ',"' + hex + '"');
    },
    test: () => ok(),
  },
};

function cpinrLines(m: SimModem, sel: string): string[] {
  const all: [string, number, number][] = [
    ["SIM PIN", m.pinTries, 3],
    ["SIM PUK", m.pukTries, 10],
  ];
  const re = new RegExp("^" + sel.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
  return all.filter((c) => re.test(c[0])).map((c) => "+CPINR: " + c[0] + "," + c[1] + "," + c[2]);
}
