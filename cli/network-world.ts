/**
 * The network side of a simulated accessory, played from a console: the owner's
 * smartphone, an outside party, coverage, the management site and the modem's faults.
 * Shared by `npm start` (cli/sim-world.ts) and `sharedline sim --tcp/--pty` (cli/sim.ts),
 * so both play one simulated network with the same words.
 */
import type { SimModem } from "../sim/modem/modem.js";
import type { Activation, CompanionOutcome } from "../sim/entitlement/index.js";
import { ManagementSite, type AccessoryPort, type OutsideParty, type SharedNetwork } from "../sim/network/index.js";
import type { World, WorldRefusal } from "./console.js";
import type { UssdResult } from "../sim/modem/network.js";

export interface WorldParts {
  network: SharedNetwork;
  /** The shared number. */
  msisdn: string;
  /** The accessory's port and modem. */
  port: AccessoryPort;
  modem: SimModem;
  /** The outside party `ring` and `caller ...` play. */
  caller: OutsideParty;
  /** P's One Number app (TS.43 entitlement, R8): `phone register`, `phone unregister`, `registrations`. */
  activation?: Activation;
  print: (line: string) => void;
}

export function networkWorld(p: WorldParts): World {
  const site = new ManagementSite(p.network);
  const phone = p.network.number(p.msisdn).phone;
  const usage = (u: string) => new Error("usage: " + u);
  // What P's app reached later by itself (after the websheet, a busy SM-DP+, a deletion).
  if (p.activation) p.activation.events.on("outcome", (o) => p.print(describeOutcome(o)));
  return {
    help: [
      `phone: phone answer | phone decline | phone hangup | phone dial <number> | phone sms <to> <text> | phone code <code> | phone off|on   (the smartphone of ${p.msisdn})`,
      `caller: ring | caller answer | caller hangup | caller reject | caller sms <text>   (${p.caller.number}, an outside party)`,
      ...(p.activation ? ["phone's One Number app: phone register [accessory] [name <friendly name>] | phone unregister [accessory] | registrations   (TS.43 entitlement, R8, R15; the accessory is \"my watch\")"] : []),
      "network: coverage full|limited|none | unregister | devices",
      "modem: reboot | hang | unhang",
    ],
    hardware: ["reboot", "hang", "unhang"],
    command(verb, args, rest) {
      const tail = (n: number) => rest.split(/\s+/).slice(n).join(" ");
      switch (verb) {
        case "phone": {
          const what = args[0];
          if (what === "answer") phone.answer();
          else if (what === "decline") phone.decline();
          else if (what === "hangup") phone.hangup();
          else if (what === "dial" && args[1]) phone.dial(args[1]);
          else if (what === "sms" && args[1] && args[2]) phone.sendSms(args[1], tail(2));
          else if (what === "code" && args[1]) return serviceCodeSaid(phone.serviceCode(args[1]), p.print);
          else if (what === "off") phone.powerOff();
          else if (what === "on") phone.powerOn();
          else if (p.activation && (what === "register" || what === "unregister")) {
            // `phone register <accessory> name <friendly name>`: the name SubscriptionResult 8 asks for.
            const m = /^(.*?)\s*\bname\s+(.+)$/.exec(tail(1));
            const which = (m ? m[1] : tail(1)) || "my watch";
            const opts = m && what === "register" ? { friendlyName: m[2] } : {};
            p.print(describeOutcome(what === "register" ? p.activation.register(p.msisdn, which, opts) : p.activation.unregister(p.msisdn, which)));
          } else throw usage("phone answer|decline|hangup|dial <number>|sms <to> <text>|code <code>|off|on" + (p.activation ? "|register [accessory]|unregister [accessory]" : ""));
          return true;
        }
        case "ring":
          p.caller.call(p.msisdn);
          return true;
        case "caller": {
          const what = args[0];
          if (what === "answer") p.caller.answer();
          else if (what === "hangup") p.caller.hangup();
          else if (what === "reject") p.caller.reject();
          else if (what === "sms" && args[1]) p.caller.sendSms(p.msisdn, tail(1));
          else throw usage("caller answer|hangup|reject|sms <text>");
          return true;
        }
        case "coverage":
          if (args[0] !== "full" && args[0] !== "limited" && args[0] !== "none") throw usage("coverage full|limited|none");
          p.port.setCoverage(args[0]);
          return true;
        case "unregister":
          site.unregister(p.msisdn, p.modem.identity.imei);
          return true;
        case "devices":
          p.print(
            site
              .list(p.msisdn)
              .map((d) => JSON.stringify(d))
              .join("; "),
          );
          return true;
        case "registrations":
          if (!p.activation) return false;
          p.print(
            p.activation
              .registrations(p.msisdn)
              .map((r) => r.friendlyName + " " + (r.device || "-") + " IMEI ..." + r.imeiLast4 + " " + r.state + (r.registeredAt ? " since " + r.registeredAt : ""))
              .join("; ") || "no accessories",
          );
          return true;
        case "reboot":
          p.modem.reboot();
          return true;
        case "hang":
          p.modem.hang();
          return true;
        case "unhang":
          p.modem.unhang();
          return true;
        default:
          return false;
      }
    },
  };
}

/**
 * What the network answered P's service code: "NG: ..." is its refusal (sim/network/services.ts),
 * +CUSD 4 that it has no such service; any other answer is printed, and the command is done.
 */
function serviceCodeSaid(r: UssdResult | undefined, print: (line: string) => void): true | WorldRefusal {
  if (!r) return { ok: false, reason: "noAnswer", message: "the network did not answer" };
  if (r.status === 4) return { ok: false, reason: "refused", message: "the network does not support this code" };
  const text = r.text || "";
  if (text.indexOf("NG") === 0) return { ok: false, reason: "refused", message: "the network says: " + text };
  print("answer to the smartphone: " + (text || "done"));
  return true;
}

/** One line for people about what P's One Number app was told (R8, R10, R12, R15). */
export function describeOutcome(o: CompanionOutcome): string {
  const codes = "OperationResult=" + o.operationResult + (o.subscriptionResult !== undefined ? " SubscriptionResult=" + o.subscriptionResult : "") + (o.serviceStatus !== undefined ? " ServiceStatus=" + o.serviceStatus : "");
  if (o.operation === "unsubscribe") return "phone: " + (o.ok ? "unregistered IMEI " + o.imei : "could not unregister IMEI " + o.imei + ": " + o.message) + " (" + codes + ")";
  if (o.userInput) return "phone: the registration needs a name for the accessory: phone register " + o.imei + " name <friendly name> (" + codes + ")";
  if (!o.ok) return "phone: registration refused: " + (o.message || "no reason given") + " (" + codes + ")";
  if (o.pending === "websheet") return "phone: accept the new One Number terms on the management site (" + (o.websheetUrl || "/terms") + "); the app asks again every " + o.retryInSec + " s (" + codes + ")";
  if (o.pending === "delayed") return "phone: the profile is not ready at the SM-DP+ yet; the app asks again in " + o.retryInSec + " s (" + codes + ")";
  if (o.pending === "deleting") return "phone: the accessory's old profile " + (o.iccid || "") + " may not be used again; deleting it on the accessory, then registering (" + codes + ")";
  return "phone: registered IMEI " + o.imei + (o.downloaded ? ", profile " + o.iccid + (o.subscriptionResult === 7 ? " downloaded to it again" : " downloaded to it") : ", " + (o.message || "already registered")) + " (" + codes + ")";
}
