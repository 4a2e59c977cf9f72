/** `+CLCC` (27.007 §7.18): the modem's list of current calls, the ground truth when in doubt. */
import { paramsOf } from "../../drivers/at/index.js";
import { clccStatus, type CallStatus } from "./call.js";

export interface ClccEntry {
  index: number;
  direction: "outgoing" | "incoming";
  status: CallStatus;
  /** 0 voice, 1 data, 2 fax (27.007 §7.18 <mode>); only voice calls are ours. */
  mode: number;
  multiparty: boolean;
  number: string;
}

/** `+CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,...]]`, or undefined. */
export function parseClcc(line: string): ClccEntry | undefined {
  const p = paramsOf(line, "+CLCC:");
  if (!p) return undefined;
  if (p.length < 5) return undefined;
  const index = parseInt(p[0], 10);
  const dir = parseInt(p[1], 10);
  const stat = parseInt(p[2], 10);
  const mode = parseInt(p[3], 10);
  if (!(index >= 1) || (dir !== 0 && dir !== 1) || !(stat >= 0 && stat <= 5) || !(mode >= 0)) return undefined;
  return {
    index,
    direction: dir === 0 ? "outgoing" : "incoming",
    status: clccStatus(stat),
    mode,
    multiparty: p[4] === "1",
    number: p[5] || "",
  };
}
