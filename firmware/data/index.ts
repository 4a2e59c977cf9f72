/**
 * The data side of a board: the data session (the PDP context) and, when the modem
 * profile has a socket dialect, the socket table on it. Sockets die with the context;
 * stale sockets are closed each time the context comes up, before anyone opens one.
 */
import type { Clock } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { AtChannel } from "../../drivers/at/index.js";
import { packetDialectFor } from "../../drivers/modems/packet.js";
import { socketDialectFor } from "../../drivers/modems/socket-dialects.js";
import { contextNoticesFor, type ContextNotices } from "../../drivers/modems/context-loss.js";
import type { DataPolicy } from "./session-machine.js";
import { DataSession, defaultDataPolicy, type DataModemView, type DataSettings } from "./session.js";
import { defaultSocketOptions, ModemSockets, type SocketOptions } from "./socket.js";

export { DataSession } from "./session.js";
export type { DataSettings, DataModemView } from "./session.js";
export { ModemSocket, ModemSockets } from "./socket.js";

export interface DataStack {
  session: DataSession;
  /** Undefined when the module has no socket dialect we speak (the generic profile). */
  sockets: ModemSockets | undefined;
  /** `up` once the context is up and stale sockets are closed; `down` when it goes. */
  events: Emitter<{ up: string; down: string }>;
  status(): { name: string };
  reportLost(reason: string): void;
  stop(): void;
}

export interface DataStackOptions {
  policy?: Partial<DataPolicy>;
  sockets?: Partial<SocketOptions>;
}

function dataStackOn(
  channel: AtChannel,
  clock: Clock,
  modem: DataModemView,
  profileName: string,
  settings: DataSettings,
  options: DataStackOptions | undefined,
  notices: ContextNotices | undefined,
  sockets: ModemSockets | undefined,
): DataStack {
  const o = options || {};
  const policy: DataPolicy = Object.assign({}, defaultDataPolicy, o.policy || {});
  const session = new DataSession(channel, clock, modem, packetDialectFor(profileName), notices, settings, policy);
  const events = new Emitter<{ up: string; down: string }>();
  let ready = false;
  session.events.on("up", (address) => {
    const announce = () => {
      if (session.status().name !== "up") return;
      ready = true;
      events.emit("up", address);
    };
    if (!sockets) return announce();
    sockets.prepare().then(
      (ids) => {
        if (ids.length > 0) session.events.emit("log", "data: closed stale sockets " + ids.join(", "));
        announce();
      },
      (e: unknown) => {
        // The sockets cannot work (SIMCom's service would not open): the context is as good
        // as lost, and the session's tiers take it from there.
        if (sockets.dialect.service) session.reportLost("sockets not ready: " + (e instanceof Error ? e.message : String(e)));
        else announce();
      },
    );
  });
  session.events.on("down", (reason) => {
    if (sockets) sockets.dropAll(reason);
    if (!ready) return;
    ready = false;
    events.emit("down", reason);
  });
  return {
    session,
    sockets,
    events,
    status: () => ({ name: ready ? "up" : session.status().name === "up" ? "starting" : session.status().name }),
    reportLost: (reason) => session.reportLost(reason),
    stop: () => {
      session.stop();
      if (sockets) sockets.stop();
    },
  };
}

export function createDataStack(channel: AtChannel, clock: Clock, modem: DataModemView, profileName: string, settings: DataSettings, options?: DataStackOptions): DataStack {
  const o = options || {};
  const dialect = socketDialectFor(profileName);
  const sockets = dialect ? new ModemSockets(channel, clock, dialect, settings.context, Object.assign({}, defaultSocketOptions, o.sockets || {})) : undefined;
  return dataStackOn(channel, clock, modem, profileName, settings, options, dialect, sockets);
}

/**
 * The data session without a socket table: for a board whose link goes through the
 * module's own MQTT client (`data.link` "modem-mqtt") nothing opens a socket, and a bundle
 * that calls only this leaves the socket code out. The session still hears the module's
 * own notices of a lost context (`+QIURC: "pdpdeact"`, drivers/modems/context-loss.ts).
 */
export function createDataSession(channel: AtChannel, clock: Clock, modem: DataModemView, profileName: string, settings: DataSettings, options?: DataStackOptions): DataStack {
  return dataStackOn(channel, clock, modem, profileName, settings, options, contextNoticesFor(profileName), undefined);
}
