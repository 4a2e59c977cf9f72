/**
 * Types of the AT channel (drivers/at): commands as values, typed results and errors.
 * See channel.ts for the engine and its behaviour.
 */

/**
 * How a command's response is read (V.250, 27.007 and 27.005):
 * - `simple`: intermediate lines that start with one of `prefixes` (or, with no
 *   prefixes, any line that is not a final result or a URC: `AT+CGSN` answers a bare
 *   serial number) are collected until the final result.
 * - `pdu-listing`: like simple, but each prefixed line (`+CMGL:`/`+CMGR:`) is followed by
 *   one PDU line that belongs to it (27.005 §3.4.2, §4.1 in PDU mode).
 * - `prompt`: the command line is written, the engine waits for the `> ` prompt, then
 *   writes `payload` and Ctrl-Z (27.005 §3.5.1 `+CMGS`); Esc aborts on timeout.
 * - `raw`: a fixed-length data prompt (SIMCom `AT+CIPSEND=<link>,<len>`,
 *   `AT+CMQTTTOPIC=<client>,<len>`): after `>` exactly `payload` is written, any bytes,
 *   no terminator; the modem counts them, so nothing can cancel it once the prompt came.
 *   An urgent command waits the few milliseconds it takes (never cut short, see channel.ts).
 */
export type AtMode = "simple" | "pdu-listing" | "prompt" | "raw";

export interface AtCommand {
  /** The command line without the terminating CR, e.g. `AT+CMGS=23`. Must be validated (see args.ts). */
  cmd: string;
  /** Response prefixes that belong to this command, e.g. `["+CLCC:"]`. */
  prefixes?: string[];
  mode?: AtMode;
  /**
   * For `prompt` mode: the bytes to send after `> ` (Ctrl-Z is added by the engine). For
   * `raw` mode: the exact bytes the command line announced (a byte string, any values).
   */
  payload?: string;
  /** The payload is printable text (`+CPOS` XML), not hex (an SMS PDU, the default). */
  textPayload?: boolean;
  /** Milliseconds until the command fails with a timeout (default: the channel's). */
  timeoutMs?: number;
  /**
   * The priority lane (an emergency dial, R45): the command goes to the head of the queue
   * and a cuttable command in flight is cut short so that this one is written at once.
   */
  urgent?: boolean;
  /**
   * A command that may wait long for its final result (a USSD request on modems that hold
   * the `OK`): an urgent command may cut it short. Prompt-mode commands always may.
   */
  cuttable?: boolean;
}

/** What a successful command gives back. */
export interface AtResponse {
  /** The final result code line (`OK`, `CONNECT 9600`, ...). */
  final: string;
  /** Intermediate lines belonging to the command, in order. */
  lines: string[];
  /** In `pdu-listing` mode: each prefixed line with the PDU line that followed it. */
  pdus: { header: string; pdu: string }[];
}

/** Final result kinds (V.250 §5.7, 27.007 §9.2, 27.005 §3.2.5). */
export type FinalKind = "ok" | "connect" | "error" | "cme" | "cms" | "no-carrier" | "busy" | "no-answer" | "no-dialtone";

/** One entry of the final-result table; modem profiles can add their own. */
export interface FinalRule {
  /** Exact line, or line prefix when `prefix` is true. */
  match: string;
  prefix: boolean;
  kind: FinalKind;
  /** Whether this final means success (`OK`, `CONNECT`). */
  success: boolean;
}

/** A URC handler. `pdu` is the line that followed when the URC was registered with `pdu: true`. */
export type UrcHandler = (line: string, pdu: string | undefined) => void;

export interface UrcOptions {
  /** The URC is followed by one PDU line that belongs to it (`+CMT`, `+CDS`). */
  pdu?: boolean;
  /**
   * Whether this URC line is followed by one text line that belongs to it, whatever it
   * holds (SIMCom `+CMQTTRXTOPIC: <client>,<len>` then the topic): passed as `pdu`.
   */
  text?: (line: string) => boolean;
  /**
   * How many bytes follow this URC line (after its CR LF) and belong to it, whatever
   * they are (SIMCom `+CMQTTRXPAYLOAD: <client>,<len>` then exactly <len> bytes, CR
   * and LF included); 0 when none. They are read by count, never split into lines, and
   * passed as `pdu`; `undefined` when they did not all come (see channel.ts).
   */
  bytes?: (line: string) => number;
}
