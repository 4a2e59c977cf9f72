/**
 * The data session and the companion link of a board whose link goes through the
 * module's own MQTT client (boards.json `data.link` "modem-mqtt", the watch): the same
 * composition as createFirmware's (compose.ts), with the data session built without a
 * socket table, which nothing on such a board uses, and only the Quectel module stack
 * (`AT+QMT*`; a SIMCom Espruino board would need the `AT+CMQTT*` one added here): what
 * is left out keeps the watch within its Storage and heap. The watch carries this file
 * as a cold Storage module (`sl.link`, tools/bundle.ts COLD_MODULES), loaded once at boot
 * when the device settings turn data or the link on (hal/espruino/boot.ts).
 *
 * Portable (Espruino).
 */
import { BoardError, type Board } from "./board.js";
import type { FirmwareApi } from "./api.js";
import { composeDataWith, composeLinkWith, linkRouteWith, type ComposeContext, type Composer, type DataOptions } from "./compose.js";
import type { CompanionOptions } from "./companion/attach.js";
import type { CompanionLink } from "./companion/link.js";
import { quectelMqttFor } from "./companion/modem-mqtt.js";
import { createDataSession, type DataStack } from "./data/index.js";

function checkModule(board: Board, profileName: string, dataWanted: boolean, co: CompanionOptions | undefined): void {
  // A socket link needs the table this composition leaves out: say so rather than fail later.
  if (dataWanted && board.data.link === "modem-socket") throw BoardError("board " + board.name + ": data.link modem-socket needs the data session's sockets; this build has the module-MQTT composition only", { problems: ["companion"] });
  if (co) linkRouteWith(quectelMqttFor, board, profileName, dataWanted, co);
}

function composeModuleData(ctx: ComposeContext, apn: string, o: DataOptions): DataStack {
  return composeDataWith(createDataSession, ctx, apn, o);
}

function composeModuleLink(ctx: ComposeContext, api: FirmwareApi, data: DataStack | undefined, co: CompanionOptions): CompanionLink {
  return composeLinkWith(quectelMqttFor, ctx, api, data, co);
}

/** The composer (a plain function: a cold module exports no values; both parts come from one load). */
export function moduleMqttComposer(): Composer {
  return { check: checkModule, data: composeModuleData, link: composeModuleLink };
}
