/**
 * How the console's command lines wait for each other (cli/console.ts CommandLines, the
 * same for each control socket client) while an emergency dial waits for a modem that has
 * stopped answering: DESIGN's first two principles (an emergency call is never delayed by
 * us; the firmware runs unattended). A new-user trial found `status`, `hangup` and the
 * simulator's `unhang` all stuck behind a `dial 110` on a hung modem until SIGTERM.
 * Real firmware, simulated modem, virtual clock.
 */
import test from "ava";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { serveControl } from "../../cli/control.js";
import { simRig, type SimRig } from "../support/sim-rig.js";
import { CommandLines, FirmwareConsole, type ConsoleLine, type World } from "../../cli/console.js";
import type { AnyReply } from "../../firmware/api/types.js";

interface Rig {
  r: SimRig;
  lines: CommandLines;
  seen: ConsoleLine[];
  /** The printed text of every line so far. */
  printed: string[];
  /** Pushes a line; `answered()` says whether it has answered yet, `reply` is its answer. */
  type(text: string): { answered(): boolean; reply: Promise<AnyReply> };
}

async function rig(opts?: { reset?: boolean; booting?: boolean }): Promise<Rig> {
  const o = opts || {};
  const r = await simRig({ ready: !o.booting, firmware: { policy: { hardwareReset: o.reset ? "reset" : "none" } } });
  // The simulator's hardware words, as network-world.ts gives them to `sharedline start`.
  const world: World = {
    help: [],
    hardware: ["hang", "unhang"],
    command(verb) {
      if (verb === "hang") r.modem.hang();
      else if (verb === "unhang") r.modem.unhang();
      else return false;
      return true;
    },
  };
  const printed: string[] = [];
  const con = new FirmwareConsole(r.fw.api, world, { json: false, verbose: false, now: () => r.clock.now(), stamps: "none", print: (l) => printed.push(l) });
  const seen: ConsoleLine[] = [];
  con.tap((l) => seen.push(l));
  const lines = new CommandLines(con);
  return {
    r,
    lines,
    seen,
    printed,
    type(text) {
      let done = false;
      const reply = lines.push(text).then(() => {
        done = true;
        const l = seen.filter((x) => "command" in x && x.command === text).pop();
        return (l as { reply: AnyReply }).reply;
      });
      return { answered: () => done, reply };
    },
  };
}

/** Lets promises settle without moving virtual time. */
async function settle(r: SimRig): Promise<void> {
  await r.run(0);
}

test("R45, principle 1: a status typed during an emergency dial on a silent modem answers at once; the dial says why it waits (no reset pin), and a hangup then cancels it at once", async (t) => {
  const k = await rig();
  await k.r.run(0);
  k.type("hang");
  await settle(k.r);
  const dial = k.type("dial 110");
  await k.r.run(1000);
  const status = k.type("status");
  await settle(k.r);
  t.true(status.answered(), "status waits for no command");
  const s = await status.reply;
  t.like(s, { ok: true, line: "emergency" });
  t.false(dial.answered(), "the dial is still kept");
  // The dial's own time limit runs out: the firmware says why nothing happens.
  await k.r.run(10000);
  const said = k.printed.filter((l) => /^emergency call 1: waiting/.test(l));
  t.is(said.length, 1, k.printed.join("\n"));
  t.regex(said[0], /modem is not answering/);
  t.regex(said[0], /no reset pin/);
  t.regex(said[0], /goes out as soon as the modem answers/);
  const ev = k.seen.find((l) => "event" in l && l.event === "emergency" && (l.data as { phase: string }).phase === "waiting");
  t.like(ev && (ev as { data: unknown }).data, { phase: "waiting", reason: "modemSilent" });
  // Said once per silence, not at every probe after it.
  await k.r.run(30000);
  t.is(k.printed.filter((l) => /^emergency call 1: waiting/.test(l)).length, 1, k.printed.join("\n"));
  t.false(dial.answered());
  const hangup = k.type("hangup");
  await settle(k.r);
  t.true(hangup.answered(), "hangup reaches the waiting dial at once");
  t.true((await hangup.reply).ok);
  const d = await dial.reply;
  t.like(d, { ok: false, reason: "cancelled" });
  t.is(k.r.fw.api.snapshot().line, "idle");
  await k.r.run(30000);
  t.false(
    k.r.commands.slice(k.r.commands.indexOf("ATD110;") + 1).some((c) => c.startsWith("ATD")),
    "no dial after the cancel",
  );
});

test("a hangup read while the dial is still going out waits for it, and reaches it once the modem is known silent (the dial's time limit, 10 s)", async (t) => {
  const k = await rig();
  k.type("hang");
  const dial = k.type("dial 110");
  await k.r.run(1000);
  const hangup = k.type("hangup");
  await k.r.run(8000);
  t.false(hangup.answered(), "scripts keep their order: `dial 110` then `hangup` hangs up the call once placed");
  await k.r.run(2000);
  t.true(hangup.answered(), k.printed.join("\n"));
  t.like(await dial.reply, { ok: false, reason: "cancelled" });
});

test("R50 on a modem that hangs during an answered call: the dial says it waits as soon as the channel finds the modem silent, not 10 s after, and a hangup typed meanwhile then cancels it", async (t) => {
  const k = await rig();
  k.r.network.ringIn("+819011112222");
  await k.r.run(200);
  t.true((await k.r.act(k.r.fw.api.answer())).ok);
  await k.r.run(200);
  k.type("hang");
  const dial = k.type("dial 110");
  await k.r.run(500);
  k.type("hangup");
  let at = 500;
  for (; at < 20000 && !dial.answered(); at += 250) await k.r.run(250);
  t.like(await dial.reply, { ok: false, reason: "cancelled" });
  const waiting = k.seen.find((l) => "event" in l && l.event === "emergency" && (l.data as { phase: string }).phase === "waiting");
  const silent = k.seen.find((l) => "event" in l && /stopped answering/.test(l.text));
  t.truthy(waiting && silent, k.printed.join("\n"));
  t.true(Math.abs(waiting!.t - silent!.t) < 100, "said with the modem found silent: " + (waiting!.t - silent!.t) + " ms apart");
  // The AT+CHUP that ended the call before the dial (R50) went unanswered: the channel's
  // time limit and probe, not the dial's 10 s after them.
  t.true(at <= 8000, "cancelled " + at + " ms after the dial");
  t.log("cancelled " + at + " ms after the dial (virtual); the hangup's own reply waits for its AT+CHUP of call 1 on the hung modem");
});

test("the simulator's unhang is answered at once behind a pending emergency dial, and the dial then goes out", async (t) => {
  const k = await rig();
  k.type("hang");
  const dial = k.type("dial 110");
  await k.r.run(1000);
  const unhang = k.type("unhang");
  await settle(k.r);
  t.true(unhang.answered(), "a hardware word never waits behind the firmware");
  t.false(dial.answered());
  await k.r.run(15000);
  t.true(dial.answered(), k.printed.join("\n"));
  t.like(await dial.reply, { ok: true });
  t.is(k.r.fw.api.snapshot().line, "emergency");
});

test("a board with a reset pin says the silent modem is power-cycled", async (t) => {
  const k = await rig({ reset: true });
  k.type("hang");
  k.type("dial 110");
  await k.r.run(11000);
  const said = k.printed.find((l) => /^emergency call 1: waiting/.test(l));
  t.truthy(said, k.printed.join("\n"));
  t.regex(said!, /power-cycled with its reset pin/);
});

test("README's `dial 110` then `hangup`: on a modem that answers, the hangup still comes after the dial is placed", async (t) => {
  const k = await rig();
  const dial = k.type("dial 110");
  const hangup = k.type("hangup");
  await k.r.run(3000);
  t.like(await dial.reply, { ok: true });
  t.true((await hangup.reply).ok);
  t.true(k.r.commands.includes("AT+CHUP"), "the placed call was hung up");
});

test("a dial typed while the modem boots: its boot banner is no silence, so no waiting line, and the hangup after it ends the placed call", async (t) => {
  const k = await rig({ booting: true });
  const dial = k.type("dial 110");
  const hangup = k.type("hangup");
  await k.r.run(3000);
  t.like(await dial.reply, { ok: true });
  t.true((await hangup.reply).ok);
  t.false(k.printed.some((l) => /waiting/.test(l)), k.printed.join("\n"));
});

test("`wait` still holds every line after it, looks included", async (t) => {
  const k = await rig();
  const w = k.type("wait call active 5");
  const status = k.type("status");
  await settle(k.r);
  t.false(status.answered());
  await k.r.run(6000);
  t.true(w.answered() && status.answered());
});

test("the control socket: a client's status answers during its own pending emergency dial, and its hangup cancels the dial once it waits for the silent modem", async (t) => {
  const k = await rig();
  const con = new FirmwareConsole(k.r.fw.api, undefined, { json: true, verbose: false, now: () => k.r.clock.now(), stamps: "none", print: () => undefined });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sl-ctl-"));
  const server = await serveControl(path.join(dir, "control"), con);
  const sock = net.connect(path.join(dir, "control"));
  t.teardown(async () => {
    sock.destroy();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const replies: { command: string; reply: AnyReply }[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: sock }).on("line", (l) => {
    const o = JSON.parse(l);
    if ("command" in o) replies.push(o);
    for (const w of waiters.splice(0)) w();
  });
  const replyTo = async (command: string): Promise<AnyReply> => {
    for (;;) {
      const r = replies.find((x) => x.command === command);
      if (r) return r.reply;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  await new Promise((resolve) => sock.once("connect", resolve));
  k.r.modem.hang();
  sock.write("dial 110\nstatus\n");
  t.like(await replyTo("status"), { ok: true, line: "emergency" });
  t.false(replies.some((x) => x.command === "dial 110"));
  await k.r.run(11000);
  sock.write("hangup\n");
  t.true((await replyTo("hangup")).ok);
  t.like(await replyTo("dial 110"), { ok: false, reason: "cancelled" });
});
