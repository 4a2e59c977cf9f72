/**
 * `sharedline sim` as a user runs it: it prints where the modem is, serves it, takes
 * network commands on stdin, and exits 0 on SIGTERM / SIGINT.
 */
import test from "ava";
import fs from "node:fs";
import net from "node:net";
import tty from "node:tty";
import { DEFAULT_ANSWER_AFTER_MS, DEFAULT_USSD_ANSWER, parseSimArgs, simParams, type SimOptions } from "../../cli/sim.js";
import { CliProcess, startCli } from "../support/cli-process.js";
import { Collector } from "./io.js";

/** `sharedline sim <args>`, with a stdin to play the network from. */
const start = (t: { teardown(fn: () => void): void }, args: string[]): CliProcess => startCli(t, ["sim", ...args], "pipe");

test("options: exactly one of --tcp and --pty; client-friendly defaults; bad values are explained", (t) => {
  t.like(parseSimArgs(["--tcp", "0"]), { tcp: 0, host: "127.0.0.1", pty: false, control: 0, sms: [], answerAfterMs: DEFAULT_ANSWER_AFTER_MS, ussdAnswer: DEFAULT_USSD_ANSWER, quiet: false });
  const o = parseSimArgs(["--pty", "--sms", "+819011112222=hi = there", "--pin", "1234", "--answer-after", "never", "--ussd-answer", "none", "--param", "noReplyMs=30000"]);
  t.like(o, { pty: true, sms: [{ from: "+819011112222", text: "hi = there" }], pin: "1234", answerAfterMs: null, ussdAnswer: null, params: { noReplyMs: 30000 } });
  t.like(simParams(o as SimOptions), { partyAnswerMs: null, partyNoReply: true, ussdAnswer: null, noReplyMs: 30000 });
  t.is(parseSimArgs(["--help"]), "help");
  t.throws(() => parseSimArgs([]), { message: /exactly one of --tcp/ });
  t.throws(() => parseSimArgs(["--tcp", "0", "--pty"]), { message: /exactly one of --tcp/ });
  t.throws(() => parseSimArgs(["--tcp", "70000"]), { message: /port number/ });
  t.throws(() => parseSimArgs(["--tcp"]), { message: /needs a value/ });
  t.throws(() => parseSimArgs(["--tcp", "0", "--answer-after", "soon"]), { message: /--answer-after needs milliseconds/ });
  t.throws(() => parseSimArgs(["--tcp", "0", "--frob"]), { message: /unknown option '--frob'/ });
});

test("sharedline sim --tcp 0 serves an accessory of the shared-number network: preloaded SMS, the outside party and the smartphone from stdin, HTTP control, exit 0 on SIGTERM", async (t) => {
  t.timeout(60000);
  const p = start(t, ["--tcp", "0", "--sms", "+819011112222=Preloaded hello"]);
  const out = await p.out.waitFor(/sim: control on (http:\/\/\S+)\n/, 30000);
  const port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const control = /sim: control on (http:\/\/\S+)/.exec(out)![1];
  t.regex(out, /sim: number \+819012345678, accessory A1 IMEI \d{15} board sim-generic/);
  const rx = new Collector();
  const socket = net.connect(port, "127.0.0.1");
  socket.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write("ATE0;+CLIP=1;+CNMI=2,1\r");
  await rx.waitFor("OK\r\n");
  rx.clear();
  socket.write("AT+CMGL=4\r");
  t.regex(await rx.waitFor("OK\r\n"), /^\r\n\+CMGL: 1,0,,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n$/);
  rx.clear();
  // The outside party calls the shared number: the accessory rings with the caller's number.
  p.child.stdin!.write("ring\n");
  t.regex(await rx.waitFor("145\r\n"), /RING\r\n\r\n\+CLIP: "\+81311112222",145\r\n/);
  rx.clear();
  // The smartphone answers: the accessory's call ends, answered elsewhere (R22).
  p.child.stdin!.write("phone answer\n");
  t.is(await rx.waitFor("NO CARRIER\r\n"), "\r\nNO CARRIER\r\n");
  const phone = (await (await fetch(control + "/phone")).json()) as { calls: { state: string }[] };
  t.is(phone.calls[0].state, "active");
  p.child.stdin!.write("caller hangup\n");
  rx.clear();
  p.child.stdin!.write("caller sms hello there\n");
  t.regex(await rx.waitFor(/\+CMTI: "SM",\d+\r\n/), /\+CMTI: "SM",2\r\n/);
  p.child.stdin!.write("frobnicate\n");
  await p.out.waitFor("unknown command 'frobnicate' (try help)");
  t.regex(await p.err.waitFor("sms-acked"), /net: .* A1 answered-elsewhere call=k1 cause=26 \[R22\]/);
  socket.destroy();
  p.child.kill("SIGTERM");
  t.is(await p.exit, 0);
});

test("sharedline sim --pty: prints the pts path, answers on it, exits 0 on SIGINT", async (t) => {
  const p = start(t, ["--pty", "--quiet"]);
  const line = await p.out.waitFor(/sim: modem on (\/dev\/pts\/\d+)\n/, 30000);
  const pts = /sim: modem on (\/dev\/pts\/\d+)/.exec(line)![1];
  const fd = fs.openSync(pts, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const reader = new tty.ReadStream(fd);
  const rx = new Collector();
  reader.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
  fs.writeSync(fd, "AT+CPIN?\r");
  t.is(await rx.waitFor("OK\r\n"), "AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n");
  reader.destroy();
  p.child.kill("SIGINT");
  t.is(await p.exit, 0);
  t.is(p.err.text, "", "--quiet prints no network events");
});

test("sharedline sim with bad options exits 2 with the one wrong thing and a pointer to --help", async (t) => {
  const p = start(t, ["--tcp", "0", "--pty"]);
  t.is(await p.exit, 2);
  t.is(p.err.text, "sharedline sim: give exactly one of --tcp <port> and --pty\nTry 'sharedline sim --help' for the options.\n");
});
