/**
 * `sharedline probe` (issue 10 §3) against simulated modems that present themselves as
 * different modules: it reads the identity, walks every profile's bring-up, names the
 * profile that fits and what each refused command answered, and writes a transcript that
 * the replay reader reads back.
 */
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../../hal/node/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { parseTranscript } from "../../hal/node/transcript.js";
import { SimModem, type SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { serveTcp } from "../../sim/modem/transports.js";
import { probeModem, formatReport } from "../../cli/probe.js";
import { startCli } from "../support/cli-process.js";

function simModem(opts: Partial<SimModemOptions> = {}): SimModem {
  const modem = new SimModem({ clock: systemClock, network: new NetworkStub({ clock: systemClock }), ...opts });
  modem.powerOn(false);
  return modem;
}

async function probeOf(modem: SimModem) {
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  const report = await probeModem(dte, systemClock, 1000);
  modem.disconnect();
  return report;
}

test("a 27.007 modem: identity and capabilities read; generic fits; each vendor profile's refused commands are listed with the answer", async (t) => {
  const r = await probeOf(simModem());
  t.is(r.manufacturer, "Sharedline");
  t.is(r.model, "SL-LTE1");
  t.is(r.revision, "SL1.0.0");
  t.true(r.capabilities.includes("+CGSM"), r.capabilities.join(","));
  t.is(r.best, "generic");
  const quectel = r.profiles.find((p) => p.profile === "quectel-eg91")!;
  t.true(quectel.fits, "vendor commands are optional");
  // Only Quectel's own commands are refused by a 27.007 modem, each optional.
  t.true(quectel.failed.length > 0);
  t.true(quectel.failed.every((f) => f.optional && f.cmd.startsWith("AT+Q")), JSON.stringify(quectel.failed));
  t.true(quectel.failed.some((f) => f.cmd === "AT+QCCID" && f.result === "ERROR"), JSON.stringify(quectel.failed));
  const lines = formatReport(r, false);
  t.true(lines.some((l) => l.startsWith("best fit: generic;")), lines.join("\n"));
  t.true(lines.includes("    AT+QCCID (optional): ERROR"), lines.join("\n"));
});

test("a module that says it is Quectel gets the Quectel profile when it fits", async (t) => {
  const r = await probeOf(simModem({ identity: { manufacturer: "Quectel", model: "EG91" } }));
  t.true(r.profiles.find((p) => p.profile === "quectel-eg91")!.vendorMatches);
  t.true((r.best || "").startsWith("quectel-"), String(r.best));
});

test("a SIM that asks for its PIN: no profile fits, +CPIN's answer is shown, the PIN is never sent", async (t) => {
  const modem = simModem({ sim: { pin: "2468" } });
  const r = await probeOf(modem);
  t.is(r.best, undefined);
  const g = r.profiles.find((p) => p.profile === "generic")!;
  t.false(g.fits);
  t.like(g.failed[0], { cmd: "AT+CPIN?", optional: false });
  t.regex(g.failed[0].result, /SIM is not ready: SIM PIN/);
  t.true(g.skipped.includes("AT+CIMI"));
  t.is(modem.pinTries, 3);
});

test("nothing on the line: the probe says no modem answers instead of blaming a profile", async (t) => {
  const [dte] = memorySerialPair();
  const r = await probeModem(dte, systemClock, 200);
  t.deepEqual(r.profiles, []);
  t.regex(formatReport(r, false)[0], /^no modem answers: AT no answer within 200 ms/);
});

test("sharedline probe --port tcp:// writes the AT transcript the replay reader reads, and --json the report", async (t) => {
  t.timeout(60000);
  const modem = simModem();
  const server = await serveTcp(modem, 0);
  t.teardown(() => server.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-probe-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "probe.at.txt");
  const p = startCli(t, ["probe", "--port", `tcp://127.0.0.1:${server.port}`, "--record", file, "--json"]);
  t.is(await p.exit, 0, p.err.text);
  const report = JSON.parse(p.out.text) as { best: string; boards: string[]; transcript: string };
  t.is(report.best, "generic");
  t.true(report.boards.includes("sim-generic"));
  t.is(report.transcript, file);
  const entries = parseTranscript(fs.readFileSync(file, "latin1"));
  t.deepEqual(entries[0], { dir: "C", bytes: "AT\r", at: entries[0].at });
  t.true(entries.some((e) => e.dir === "C" && e.bytes === "AT+GCAP\r"));
  t.true(entries.some((e) => e.dir === "M" && e.bytes.includes("+GCAP:")));
  // Every command written is in the transcript in order, with non-decreasing times.
  t.true(entries.every((e, i) => i === 0 || e.at >= entries[i - 1].at));
});

test("probe's command-line errors are one line and a pointer to --help", async (t) => {
  const p = startCli(t, ["probe"]);
  t.is(await p.exit, 2);
  t.is(p.err.text, "sharedline probe: --port <path|tcp://host:port> is required\nTry 'sharedline probe --help' for the options.\n");
});
