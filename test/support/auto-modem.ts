/**
 * A table-driven modem end for firmware tests: answers each command line from a table
 * (exact command → response bytes), records the commands in order, and can be muted to
 * play a hung modem. Independent of the simulator so bring-up is tested byte for byte.
 */
import type { MemorySerial } from "../../hal/memory/serial.js";

export class AutoModem {
  commands: string[] = [];
  muted = false;
  /** One-shot answers, used before the table and then forgotten. */
  once: { [cmd: string]: string } = {};
  private pending = "";
  constructor(
    readonly end: MemorySerial,
    public table: { [cmd: string]: string },
  ) {
    end.onData((chunk) => this.onBytes(chunk));
  }

  private onBytes(chunk: string): void {
    this.pending += chunk;
    for (;;) {
      const i = this.pending.indexOf("\r");
      if (i < 0) return;
      // Esc cancels whatever was being typed (27.005 §3.5.1); a real modem then waits for a new line.
      let cmd = this.pending.substring(0, i);
      while (cmd.charAt(0) === "\n" || cmd.charAt(0) === "\x1b") cmd = cmd.slice(1);
      this.pending = this.pending.substring(i + 1);
      if (cmd === "") continue;
      this.commands.push(cmd);
      if (this.muted) continue;
      let answer = Object.prototype.hasOwnProperty.call(this.table, cmd) ? this.table[cmd] : "\r\nERROR\r\n";
      if (Object.prototype.hasOwnProperty.call(this.once, cmd)) {
        answer = this.once[cmd];
        delete this.once[cmd];
      }
      void this.end.write(answer);
    }
  }
}

/** Answers of a healthy 27.007 modem with a ready SIM, registered at home on LTE. */
export function healthyModemTable(): { [cmd: string]: string } {
  const ok = "\r\nOK\r\n";
  return {
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
    "AT+CCID": "\r\n+CCID: 8981100000000000000F\r\n" + ok,
    "AT+CREG=2": ok,
    "AT+CEREG=2": ok,
    "AT+COPS=3,0": ok,
    "AT+CLIP=1": ok,
    "AT+CRC=1": ok,
    "AT+CCWA=1": ok,
    "AT+CUSD=1": ok,
    "AT+CCWA=0": ok,
    "AT+CMGF=0": ok,
    "AT+CSMS=1": "\r\n+CSMS: 1,1,1\r\n" + ok,
    "AT+CNMI=2,1,0,2,0": ok,
    "AT+CEN=1": ok,
    "AT+CEREG?": '\r\n+CEREG: 2,1,"1A2B","01C2D3E4",7\r\n' + ok,
    "AT+CREG?": "\r\n+CREG: 2,0\r\n" + ok,
    "AT+CSQ": "\r\n+CSQ: 20,99\r\n" + ok,
    "AT+COPS?": '\r\n+COPS: 0,0,"NTT DOCOMO",7\r\n' + ok,
    "AT+CMEE?": "\r\n+CMEE: 1\r\n" + ok,
  };
}
