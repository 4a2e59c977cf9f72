/**
 * The module's own word that a PDP context is gone, for a data session that has no
 * socket table (a board whose link is the module's own MQTT client, the watch): Quectel
 * `+QIURC: "pdpdeact",<contextID>` (BG95 TCP/IP AN §2.4), SIMCom `+CIPEVENT: NETWORK
 * CLOSED UNEXPECTEDLY`. The socket dialects (sockets.ts, simcom-sockets.ts) read the same
 * lines with these functions, beside their socket notices; a session without sockets
 * takes only this (about 350 heap blocks fewer on the watch than the two dialects).
 */
import type { AtCommand } from "../at/types.js";
import { paramsOf } from "../at/params.js";
import { int } from "./packet.js";
import type { SocketNotice } from "./sockets.js";

/** What the data session reads from the module besides `+CGEV`: setup commands and notices of a lost context. */
export interface ContextNotices {
  /** Commands sent after each activation, before the context is announced up. */
  setup(ctx: number): AtCommand[];
  noticePrefixes: string[];
  parseNotice(line: string): SocketNotice | undefined;
}

/** `+QIURC: "pdpdeact",<contextID>`, given the parameters of a `+QIURC:` line. */
export function quectelPdpDeact(p: string[]): SocketNotice | undefined {
  return p[0] === "pdpdeact" ? { type: "deactivated", ctx: int(p[1]), source: "+QIURC: pdpdeact" } : undefined;
}

/** `+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY`: SIMCom names no context; every one is gone. */
export function simcomNetworkClosed(line: string): SocketNotice | undefined {
  return line.indexOf("+CIPEVENT:") === 0 && line.indexOf("NETWORK CLOSED") >= 0 ? { type: "deactivated", ctx: -1, source: "+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY" } : undefined;
}

function none(): AtCommand[] {
  return [];
}

/** The lost-context notices of a modem profile without its sockets, or undefined when it has none we read. */
export function contextNoticesFor(profileName: string): ContextNotices | undefined {
  if (profileName.indexOf("quectel-") === 0)
    return {
      setup: none,
      noticePrefixes: ["+QIURC:"],
      parseNotice: function (line) {
        const p = paramsOf(line, "+QIURC:");
        return p ? quectelPdpDeact(p) : undefined;
      },
    };
  if (profileName.indexOf("simcom-") === 0) return { setup: none, noticePrefixes: ["+CIPEVENT:"], parseNotice: simcomNetworkClosed };
  return undefined;
}
