/**
 * SIMCom's SSL contexts and certificate files of the simulated A7670, as the module's
 * TLS clients (`AT+CMQTT*` with server_type 1) use them. From the SIMCom "A76XX Series AT
 * Command Manual", chapter "SSL commands", and the "A76XX Series SSL Application Note":
 *
 * - `AT+CSSLCFG="<param>",<ssl_ctx_index>,<value>`: <ssl_ctx_index> 0..9; "sslversion"
 *   0 SSL3.0, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 4 all; "authmode" 0 no authentication, 1
 *   server authentication, 2 server and client, 3 client only; "cacert" / "clientcert" /
 *   "clientkey" name a file downloaded with AT+CCERTDOWN; "enableSNI" 0/1;
 *   "ignorelocaltime" 0/1; "negotiatetime" 10..300 s. The read form lists every context.
 * - `AT+CCERTDOWN=<filename>,<len>`: `>`, then exactly <len> bytes (PEM or DER, the
 *   name ends in .pem or .der; at most 10240 bytes), then OK. `AT+CCERTLIST` lists the
 *   files, `AT+CCERTDELE=<filename>` deletes one.
 *
 * The files live in the module's flash: they survive a reboot (the contexts do not).
 * What the simulated client does with a context: a real TLS connection from the host
 * (node:tls) that trusts only the context's CA when authmode asks for server
 * authentication, with the versions sslversion allows (TLS 1.2 at most, as the module).
 */
import type { SecureVersion } from "node:tls";
import net from "node:net";
import type { SimModem } from "../modem.js";
import type { Args, CommandTable } from "../commands/types.js";
import { CME, cme, ok } from "../results.js";
import type { DataUser } from "./packet.js";

const CONTEXTS = 10;
const MAX_CERT = 10240;

export interface SslContext {
  version: number;
  authmode: number;
  cacert: string;
  clientcert: string;
  clientkey: string;
  sni: boolean;
  ignoreLocalTime: boolean;
  negotiateS: number;
}

function defaultContext(): SslContext {
  return { version: 4, authmode: 0, cacert: "", clientcert: "", clientkey: "", sni: false, ignoreLocalTime: true, negotiateS: 300 };
}

/** What a TLS connection from a context needs, or why it cannot be made. */
export type TlsSetup = { ok: true; options: { ca: string | undefined; verify: boolean; servername: string | undefined; minVersion: SecureVersion | undefined; maxVersion: SecureVersion } } | { ok: false; why: string };

const VERSIONS: (SecureVersion | undefined)[] = [undefined, "TLSv1", "TLSv1.1", "TLSv1.2"];

export class SimcomSsl implements DataUser {
  /** Certificate files by name (flash: kept across reboots). */
  readonly files = new Map<string, string>();
  private contexts: SslContext[] = [];

  constructor() {
    this.reset();
  }

  context(i: number): SslContext {
    return this.contexts[i];
  }

  /** The node:tls options for a connection to `host` through context `i`. */
  tlsFor(i: number, host: string): TlsSetup {
    const c = this.contexts[i];
    if (!c) return { ok: false, why: "no such SSL context" };
    const verify = c.authmode === 1 || c.authmode === 2;
    let ca: string | undefined = undefined;
    if (verify) {
      ca = this.files.get(c.cacert);
      if (c.cacert === "" || ca === undefined) return { ok: false, why: "no CA certificate set" };
    }
    if (c.authmode >= 2) return { ok: false, why: "client certificates are not offered" };
    // SSL 3.0 is gone from every TLS library; the module's "all" tops out at TLS 1.2.
    const v = c.version >= 1 && c.version <= 3 ? VERSIONS[c.version] : undefined;
    return { ok: true, options: { ca, verify, servername: c.sni && net.isIP(host) === 0 ? host : undefined, minVersion: v, maxVersion: v || "TLSv1.2" } };
  }

  contextEnded(): void {}

  reset(): void {
    this.contexts = [];
    for (let i = 0; i < CONTEXTS; i++) this.contexts.push(defaultContext());
  }
}

function ssl(m: SimModem): SimcomSsl {
  return m.stacks.simcomSsl!;
}

/** A file name as AT+CCERTDOWN takes it: a plain name ending in .pem or .der. */
function fileName(a: Args, i: number): string {
  const name = a.str(i);
  if (!/^[A-Za-z0-9_.-]{1,108}$/.test(name) || !/\.(pem|der)$/i.test(name)) throw cme(CME.incorrectParameters);
  return name;
}

function configure(m: SimModem, a: Args): ReturnType<typeof ok> {
  const what = a.str(0);
  const idx = a.int(1, 0, CONTEXTS - 1);
  const c = ssl(m).context(idx);
  a.atMost(3);
  switch (what) {
    case "sslversion":
      c.version = a.int(2, 0, 4);
      break;
    case "authmode":
      c.authmode = a.int(2, 0, 3);
      break;
    case "cacert":
      c.cacert = fileName(a, 2);
      break;
    case "clientcert":
      c.clientcert = fileName(a, 2);
      break;
    case "clientkey":
      c.clientkey = fileName(a, 2);
      break;
    case "enableSNI":
      c.sni = a.int(2, 0, 1) === 1;
      break;
    case "ignorelocaltime":
      c.ignoreLocalTime = a.int(2, 0, 1) === 1;
      break;
    case "negotiatetime":
      c.negotiateS = a.int(2, 10, 300);
      break;
    default:
      throw cme(CME.incorrectParameters);
  }
  return ok();
}

export const simcomSslCommands: CommandTable = {
  "+CSSLCFG": {
    set: configure,
    read: (m) => {
      const lines: string[] = [];
      for (let i = 0; i < CONTEXTS; i++) {
        const c = ssl(m).context(i);
        lines.push("+CSSLCFG: " + i + "," + c.version + "," + c.authmode + "," + (c.ignoreLocalTime ? 1 : 0) + "," + c.negotiateS + ',"' + c.cacert + '","' + c.clientcert + '","' + c.clientkey + '"');
      }
      return ok(...lines);
    },
    test: () => ok('+CSSLCFG: "sslversion",(0-9),(0-4)', '+CSSLCFG: "authmode",(0-9),(0-3)', '+CSSLCFG: "cacert",(0-9),(5-108)', '+CSSLCFG: "enableSNI",(0-9),(0,1)'),
  },
  // AT+CCERTDOWN=<filename>,<len>: `>`, then exactly <len> bytes, then OK.
  "+CCERTDOWN": {
    set: (m, a) => {
      a.atMost(2);
      const name = fileName(a, 0);
      const length = a.int(1, 1, MAX_CERT);
      return {
        lines: [],
        prompt: {
          length,
          text: "\r\n>",
          onPdu: (bytes) => {
            ssl(m).files.set(name, bytes);
            return ok();
          },
        },
      };
    },
    test: () => ok("+CCERTDOWN: (5-108),(1-" + MAX_CERT + ")"),
  },
  "+CCERTLIST": {
    action: (m) => ok(...Array.from(ssl(m).files.keys()).map((n) => '+CCERTLIST: "' + n + '"')),
  },
  "+CCERTDELE": {
    set: (m, a) => {
      a.atMost(1);
      if (!ssl(m).files.delete(fileName(a, 0))) throw cme(CME.notFound);
      return ok();
    },
  },
};
