/** Which socket dialect a modem profile speaks (firmware/data picks it by profile name). */
import { quectelSockets, type SocketDialect } from "./sockets.js";
import { simcomSockets } from "./simcom-sockets.js";

/** The socket dialect of a modem profile, or undefined when the module has none we speak. */
export function socketDialectFor(profileName: string): SocketDialect | undefined {
  if (profileName.indexOf("quectel-") === 0) return quectelSockets;
  if (profileName.indexOf("simcom-") === 0) return simcomSockets;
  return undefined;
}
