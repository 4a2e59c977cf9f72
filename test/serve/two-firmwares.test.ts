/**
 * Two real firmware instances on one machine sharing one simulated number, the way
 * `sharedline sim --accessories 2` and two `sharedline run --port tcp://...` do it: the
 * number is served in this process (virtual network time), each firmware runs on the
 * real clock and reaches its modem over TCP with `openNodeSerial`, and the outside
 * world acts through the HTTP control interface.
 */
import test, { type ExecutionContext } from "ava";
import { readFileSync } from "node:fs";
import { NoPins } from "../../hal/node/pins.js";
import { openNodeSerial } from "../../hal/node/serial.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, type Firmware } from "../../firmware/main.js";
import type { Call } from "../../firmware/line/call.js";
import { ALICE, MSISDN, realClock, served, when } from "./helpers.js";

const boards = loadBoards(JSON.parse(readFileSync(new URL("../../boards.json", import.meta.url), "utf8")));

interface Running {
  fw: Firmware;
  incoming: Call[];
  ended: Call[];
  /** Resolves once `check` holds after a line or modem event. */
  until<T>(what: string, check: () => T | undefined): Promise<T>;
}

async function firmwareOn(t: ExecutionContext, where: string, board: string): Promise<Running> {
  const serial = await openNodeSerial(where);
  const fw = createFirmware({ serial, clock: realClock(t), pins: new NoPins(), storage: undefined }, pickBoard(boards, board));
  const incoming: Call[] = [];
  const ended: Call[] = [];
  fw.line.events.on("incoming", (c) => incoming.push({ ...c }));
  fw.line.events.on("callEnded", (c) => ended.push({ ...c, end: c.end ? { ...c.end } : undefined }));
  t.teardown(() => {
    fw.stop();
    return serial.close();
  });
  const until = <T>(what: string, check: () => T | undefined) =>
    when(
      what,
      (changed) => {
        const offs = [
          fw.line.events.on("incoming", changed),
          fw.line.events.on("callChanged", changed),
          fw.line.events.on("callEnded", changed),
          fw.line.events.on("lineState", changed),
          fw.modem.events.on("state", changed),
          fw.modem.events.on("registration", changed),
        ];
        return () => offs.forEach((off) => off());
      },
      check,
    );
  fw.start();
  return { fw, incoming, ended, until };
}

function registeredHome(r: Running): true | undefined {
  const s = r.fw.modem.status();
  return s.state.name === "ready" && s.eps !== undefined && s.eps.stat === "home" ? true : undefined;
}

test("R19 R22 R24 R86: two firmware instances over TCP share one number: a call rings both, one answers, the other ends answered elsewhere", async (t) => {
  const s = await served(t, { accessories: 2, boards: ["watch-bangle2-bg95", "sim-generic"] });
  const watch = await firmwareOn(t, s.server.accessories[0].where, "watch-bangle2-bg95");
  const band = await firmwareOn(t, s.server.accessories[1].where, "sim-generic");
  await watch.until("the watch to come up registered", () => registeredHome(watch));
  await band.until("the band to come up registered", () => registeredHome(band));

  t.is((await s.api("POST", "/outside/" + ALICE + "/call", {})).status, 201);
  await watch.until("the watch to ring", () => (watch.incoming.length > 0 && watch.incoming[0].number !== "" ? true : undefined));
  await band.until("the band to ring", () => (band.incoming.length > 0 && band.incoming[0].number !== "" ? true : undefined));
  t.is(watch.incoming[0].number, ALICE);
  t.is(band.incoming[0].number, ALICE);
  t.is(watch.fw.line.lineState(), "ringingHere");
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "alerting(P,A1,A2)");

  const answered = await band.fw.line.answer();
  t.true(answered.ok);
  const lost = await watch.until("the watch's call to end", () => watch.ended[0]);
  t.is(lost.end!.reason, "answeredElsewhere");
  t.is(lost.end!.cause, 26);
  t.is(lost.end!.message, "answered on another device");
  t.deepEqual(
    watch.fw.line.log.list().map((e) => e.outcome),
    ["answeredElsewhere"],
    "R24: no missed call",
  );
  await band.until("the band's call to be active", () => (band.fw.line.current().some((c) => c.status === "active") ? true : undefined));
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "busy(A2)");
  t.like((await s.api("GET", "/phone")).body.callLog[0], { outcome: "answered-elsewhere", cause: 26 });

  await s.api("POST", "/outside/" + ALICE + "/hangup", {});
  const over = await band.until("the band's call to end", () => band.ended[0]);
  t.is(over.end!.reason, "remoteHungUp");
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "idle");
  t.is(watch.fw.line.lineState(), "idle");
});

test("R39 R88: with two firmware instances, the one that does not own the line is refused as line in use", async (t) => {
  const s = await served(t, { accessories: 2 });
  const a = await firmwareOn(t, s.server.accessories[0].where, "sim-generic");
  const b = await firmwareOn(t, s.server.accessories[1].where, "sim-generic");
  await a.until("A1 to come up", () => registeredHome(a));
  await b.until("A2 to come up", () => registeredHome(b));
  t.true((await a.fw.line.dial(ALICE)).ok);
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "busy(A1)");
  await b.fw.line.dial("+818033334444");
  const refused = await b.until("A2's call to be refused", () => b.ended[0]);
  t.is(refused.end!.reason, "lineInUse");
  t.is(refused.end!.message, "the number is in use on another device");
  t.is(b.fw.line.lineState(), "inUseElsewhere");
  const log = await s.api("GET", "/log?kind=refused");
  t.like(log.body.entries[0], { device: "A2", cause: 34, rule: "R39" });
});
