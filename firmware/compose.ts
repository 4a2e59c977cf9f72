/**
 * The data side of the firmware, composed once for every front-end (createFirmware):
 * the accessory's own data session on PDP context 1 (R83; it owns the context and its
 * APN, firmware/apn.ts), and the companion link on the PubSub adapter the board's
 * `data.link` names (firmware/companion/attach.ts), driven by the link settings.
 *
 * Kept apart from firmware/main.ts so that a bundle without them
 * (createFirmwareWithoutData) leaves all of it out. The watch's own composition
 * (compose-module.ts, the cold Storage module `sl.link`) is built from the same pieces
 * (composeDataWith, composeLinkWith).
 *
 * Portable (Espruino).
 */
import type { Clock, Storage } from "../hal/types.js";
import type { Emitter } from "../hal/emitter.js";
import type { AtChannel } from "../drivers/at/index.js";
import type { Board } from "./board.js";
import { BoardError } from "./board.js";
import type { FirmwareApi } from "./api.js";
import type { Line } from "./line/line.js";
import type { ModemManager } from "./modem/manager.js";
import { createDataStack, type DataStack, type DataStackOptions } from "./data/index.js";
import type { DataModemView, DataSettings } from "./data/session.js";
import { companionRoute, createCompanion, type CompanionOptions, type CompanionRoute, type ModemMqttStacks } from "./companion/attach.js";
import { modemMqttFor } from "./companion/modem-mqtt.js";
import { socketDialectFor } from "../drivers/modems/socket-dialects.js";
import type { CompanionLink } from "./companion/link.js";

/** What the composition builds on (the firmware's parts, from main.ts). */
export interface ComposeContext {
  clock: Clock;
  board: Board;
  profileName: string;
  channel: AtChannel;
  modem: ModemManager;
  line: Line;
  events: Emitter<{ log: string }>;
  storage: Storage | undefined;
}

export type DataOptions = DataStackOptions & { healthyAfterMs?: number };

export interface Composer {
  /**
   * Refuses (BoardError) what the parts could not be built with, before anything is
   * built: `dataWanted`, the data session will be built; `companion`, the link's settings.
   */
  check(board: Board, profileName: string, dataWanted: boolean, companion: CompanionOptions | undefined): void;
  data(ctx: ComposeContext, apn: string, options: DataOptions): DataStack;
  link(ctx: ComposeContext, api: FirmwareApi, data: DataStack | undefined, options: CompanionOptions): CompanionLink;
}

/** How a composition builds the data stack: with the socket table (createDataStack) or without (createDataSession). */
export type StackMaker = (channel: AtChannel, clock: Clock, modem: DataModemView, profileName: string, settings: DataSettings, options?: DataStackOptions) => DataStack;

/** The data session on PDP context 1, its log and its tier-3 recovery wired to the firmware's parts. */
export function composeDataWith(make: StackMaker, ctx: ComposeContext, apn: string, o: DataOptions): DataStack {
  const line = ctx.line;
  const modem = ctx.modem;
  const events = ctx.events;
  // An emergency call owns the AT channel and the radio: sockets keep off both (companion-link.md §5.7).
  const sockets = Object.assign({ quiet: () => line.lineState() === "emergency" }, o.sockets || {});
  const data = make(
    ctx.channel,
    ctx.clock,
    {
      events: modem.events,
      // Tier 3 through the modem manager: a modem that stopped serving data is run through
      // its own recovery (bring-up again; its reset pin after repeated failures).
      resetModem: function (why) {
        events.emit("log", "data: asking for a modem reset: " + why);
        modem.post({ type: "hung" });
      },
    },
    ctx.profileName,
    { apn: apn, context: 1, healthyAfterMs: o.healthyAfterMs === undefined ? 60000 : o.healthyAfterMs },
    { policy: o.policy, sockets: sockets },
  );
  data.session.events.on("log", function (m) {
    events.emit("log", m);
  });
  return data;
}

/** The link's route for `board` (companionRoute), its refusal a BoardError. */
export function linkRouteWith(stacks: ModemMqttStacks, board: Board, profileName: string, hasData: boolean, co: CompanionOptions): CompanionRoute {
  try {
    return companionRoute(board, profileName, hasData, co, stacks);
  } catch (e) {
    throw BoardError((e as Error).message, { problems: ["companion"] });
  }
}

/**
 * The link on its route, made apart from composeLinkWith: the closures made there keep
 * that function's variables for as long as the link runs (Espruino keeps a closure's
 * whole scope), and the route with its own scope is not needed after this.
 */
function routedCompanion(stacks: ModemMqttStacks, ctx: ComposeContext, api: FirmwareApi, data: DataStack | undefined, co: CompanionOptions, log: (line: string) => void): CompanionLink {
  const route = linkRouteWith(stacks, ctx.board, ctx.profileName, data !== undefined, co);
  return createCompanion(api, ctx.clock, ctx.storage, ctx.board, co, route.make(ctx.channel, ctx.clock, data), route.overModemData ? data : undefined, log);
}

/**
 * The companion link on the PubSub adapter the board's `data.link` names (a module stack
 * from `stacks` for "modem-mqtt"), published through the API.
 */
export function composeLinkWith(stacks: ModemMqttStacks, ctx: ComposeContext, api: FirmwareApi, data: DataStack | undefined, co: CompanionOptions): CompanionLink {
  const events = ctx.events;
  const link = routedCompanion(stacks, ctx, api, data, co, function (m) {
    events.emit("log", m);
  });
  api.useCompanion({
    status: function () {
      return link.status();
    },
    onState: function (fn) {
      link.events.on("state", function (st) {
        fn(st.name);
      });
    },
  });
  return link;
}

function check(board: Board, profileName: string, dataWanted: boolean, co: CompanionOptions | undefined): void {
  if (!co) return;
  linkRouteWith(modemMqttFor, board, profileName, dataWanted, co);
  // The data stack has a socket table only for a modem with a socket dialect (createDataStack).
  if (board.data.link === "modem-socket" && !socketDialectFor(profileName)) throw BoardError("board " + board.name + " (data.link modem-socket): modem " + profileName + " has no socket dialect; set data.link to url", { problems: ["companion"] });
}

function composeData(ctx: ComposeContext, apn: string, o: DataOptions): DataStack {
  return composeDataWith(createDataStack, ctx, apn, o);
}

function composeLink(ctx: ComposeContext, api: FirmwareApi, data: DataStack | undefined, co: CompanionOptions): CompanionLink {
  return composeLinkWith(modemMqttFor, ctx, api, data, co);
}

/**
 * The composer, made when asked: a plain function, so that a bundle can stub it (a cold
 * module exports no values). Both parts come from one load of the module, so the data
 * stack the link rides on is of the same copy of the code as the link.
 */
export function dataAndLinkComposer(): Composer {
  return { check: check, data: composeData, link: composeLink };
}
