import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import type { PinName, Pins } from "../../hal/types.js";
import { createFirmware, startFirmware } from "../../firmware/main.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { AutoModem, healthyModemTable } from "../support/auto-modem.js";
import boardsJson from "../../boards.json" with { type: "json" };

class RecordingPins implements Pins {
  log: string[] = [];
  constructor(
    private readonly clock: VirtualClock,
    private readonly wired: PinName[],
  ) {}
  has(pin: PinName): boolean {
    return this.wired.includes(pin);
  }
  async write(pin: PinName, asserted: boolean): Promise<void> {
    this.log.push(`${this.clock.now()} ${pin}=${asserted ? 1 : 0}`);
  }
  async read(): Promise<boolean> {
    return false;
  }
}

function rig(boardName: string, wired: PinName[] = []) {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const modem = new AutoModem(dce, healthyModemTable());
  const pins = new RecordingPins(clock, wired);
  const board = pickBoard(loadBoards(boardsJson), boardName);
  // Bring-up alone: the data session's own script is test/firmware/data-transcript.test.ts.
  const fw = startFirmware({ serial: dte, clock, pins, storage: undefined }, board, { data: false });
  const states: string[] = [];
  fw.modem.events.on("state", (s) => states.push(s.name));
  return { clock, modem, pins, fw, states };
}

test("generic bring-up: the exact command sequence, then identification, registration and signal", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  await clock.advance(100);
  t.deepEqual(modem.commands, [
    "AT",
    "ATE0",
    "ATV1",
    "AT+CMEE=1",
    "AT+CGMI",
    "AT+CGMM",
    "AT+CGMR",
    "AT+CGSN",
    "AT+CPIN?",
    "AT+CIMI",
    "AT+CCID",
    "AT+CREG=2",
    "AT+CEREG=2",
    "AT+COPS=3,0",
    "AT+CLIP=1",
    "AT+CRC=1",
    "AT+CCWA=1",
    "AT+CPOSR=1",
    "AT+CNAP=1",
    "AT+CDIP=1",
    "AT+COLP=0", // 27.007 §7.8: the generic profile's module would hold ATD until answered
    "AT+CMGF=0",
    "AT+CSMS=1",
    "AT+CNMI=2,1,0,2,0",
    "AT+CEN=1",
    "AT+CUSD=1", // issue 14: network-initiated USSD is presented
    "AT+CLCC", // issue 9: calls the modem still holds are adopted
    // Once the modem is ready, two chains take turns on the channel: messaging's sync (the
    // SMS settings, then what the modem stored meanwhile) and the status reads, each read
    // queued only once the one before it is answered (a queued command holds heap on the watch)
    "AT+CSMS?",
    "AT+CEREG?",
    "AT+CPMS?",
    "AT+CREG?",
    "AT+CEN?", // R93: a list that came before AT+CEN=1 is only in the read form
    "AT+CMGL=4",
    "AT+CSQ",
    "AT+COPS?",
  ]);
  const st = fw.modem.status();
  t.is(st.state.name, "ready");
  t.deepEqual(
    [st.info.manufacturer, st.info.model, st.info.imei, st.info.imsi, st.info.iccid],
    ["Sharedline", "SL-LTE", "490154203237518", "440101234567890", "8981100000000000000F"],
  );
  t.is(st.eps!.stat, "home");
  t.is(st.eps!.area, "1A2B");
  t.is(st.signal!.rssiDbm, -73);
  t.is(st.operator!.name, "NTT DOCOMO");
});

test("no idle traffic: once ready, nothing is written while nothing happens", async (t) => {
  const { clock, modem } = rig("sim-generic");
  await clock.advance(100);
  const n = modem.commands.length;
  await clock.advance(6 * 3600 * 1000);
  t.is(modem.commands.length, n);
});

test("a board without call waiting turns +CCWA off; a board without SMS routes no SMS to itself", async (t) => {
  const { clock, modem } = rig("car-linux-eg91");
  modem.table['AT+QCFG="ims",1'] = "\r\nOK\r\n";
  modem.table["AT+QDAI=1"] = "\r\nOK\r\n";
  modem.table["AT+QCCID"] = "\r\n+QCCID: 8981100000000000001F\r\n\r\nOK\r\n";
  modem.table["AT+CNMI=0,0,0,0,0"] = "\r\nOK\r\n";
  await clock.advance(100);
  t.true(modem.commands.includes("AT+CCWA=1"));
  t.false(modem.commands.includes("AT+CMGF=0"));
  t.true(modem.commands.includes("AT+CNMI=0,0,0,0,0"));
  t.true(modem.commands.includes("AT+QCCID"));
  t.false(modem.commands.includes("AT+CCID"));
});

test("the watch's BG95 routes URCs to its UART and has no call waiting", async (t) => {
  const { clock, modem, fw } = rig("watch-bangle2-bg95");
  modem.table['AT+QURCCFG="urcport","uart1"'] = "\r\nOK\r\n";
  await clock.advance(100);
  const i = modem.commands.indexOf('AT+QURCCFG="urcport","uart1"');
  t.true(i > modem.commands.indexOf("AT+CMEE=1"));
  t.true(modem.commands.includes("AT+CCWA=0"));
  t.is(fw.modem.status().state.name, "ready", "optional vendor commands that fail do not stop bring-up");
});

test("a modem that reboots (RDY) is brought up again", async (t) => {
  const { clock, modem, states } = rig("sim-generic");
  await clock.advance(100);
  modem.commands = [];
  await modem.end.write("\r\nRDY\r\n");
  await clock.advance(100);
  t.is(modem.commands[0], "AT");
  t.true(modem.commands.includes("AT+CNMI=2,1,0,2,0"));
  t.deepEqual(states.slice(-2), ["bringingUp", "ready"]);
});

test("a silent reset seen as lost URC verbosity triggers bring-up again", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  await clock.advance(100);
  modem.table["AT+CEREG?"] = "\r\n+CEREG: 0,1\r\n\r\nOK\r\n";
  modem.commands = [];
  fw.modem.checkHealth();
  await clock.advance(100);
  t.is(fw.modem.status().state.name, "backoff");
  modem.table["AT+CEREG?"] = '\r\n+CEREG: 2,1,"1A2B","01C2D3E4",7\r\n\r\nOK\r\n';
  await clock.advance(5000);
  t.true(modem.commands.includes("ATE0"));
  t.is(fw.modem.status().state.name, "ready");
});

test("a module that never takes +CEREG=2 is not taken for a silently reset one", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.table["AT+CEREG=2"] = "\r\nERROR\r\n";
  modem.table["AT+CEREG?"] = "\r\n+CEREG: 0,1\r\n\r\nOK\r\n";
  await clock.advance(100);
  fw.modem.checkHealth();
  await clock.advance(100);
  t.is(fw.modem.status().state.name, "ready");
  t.is(modem.commands.filter((c) => c === "ATE0").length, 1);
});

test("a hung modem is reset through its reset pin after repeated failures, then recovers", async (t) => {
  const { clock, modem, pins, fw } = rig("sim-generic", ["reset"]);
  modem.muted = true;
  await clock.advance(10 * 60 * 1000);
  t.true(pins.log.some((l) => l.endsWith("reset=1")), pins.log.join(","));
  t.true(pins.log.some((l) => l.endsWith("reset=0")));
  modem.muted = false;
  await clock.advance(10 * 60 * 1000);
  t.is(fw.modem.status().state.name, "ready");
});

test.serial("a modem that does not answer never has the bring-up script built: only AT is sent until it answers, then the script runs", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  // The profile is shared by every firmware in this file: counted and restored in a serial test.
  const profile = fw.profile;
  const original = profile.bringUp;
  let built = 0;
  profile.bringUp = function (opts, info) {
    built++;
    return original.call(this, opts, info);
  };
  t.teardown(() => {
    profile.bringUp = original;
  });
  modem.muted = true;
  await clock.advance(2 * 60 * 1000);
  t.is(built, 0, "no script while the modem is silent (it would be heap on the watch)");
  // The probe and, after its time-outs, the channel's resynchronising AT+CMEE? (drivers/at/channel.ts).
  t.true(modem.commands.length > 0 && modem.commands.every((c) => c === "AT" || c === "AT+CMEE?"), modem.commands.join(","));
  modem.muted = false;
  await clock.advance(2 * 60 * 1000);
  t.is(fw.modem.status().state.name, "ready");
  t.true(built >= 1);
});

test("a SIM that needs a PIN stops bring-up with the reason", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.table["AT+CPIN?"] = "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n";
  await clock.advance(60 * 1000);
  const st = fw.modem.status().state;
  t.is(st.name, "simLocked");
  t.regex(st.lastError, /SIM PIN/);
});

test("R5: boards.json gives every board its capability profile; a broken one is reported with every problem", (t) => {
  const boards = loadBoards(boardsJson);
  t.true(Object.keys(boards).length >= 3);
  const bad = { boards: { x: { description: 1, runtime: "rtos", modem: "nokia", serial: { port: "", baud: 7, flow: "x" }, pins: { foo: {} }, capabilities: { voice: false, sms: "maybe", callWaiting: 1, data: true, settingsMenu: true }, budgets: {} } } };
  const e = t.throws(() => loadBoards(bad)) as Error & { problems: string[] };
  t.true(e.problems.length >= 9, e.message);
  t.regex(e.message, /boards\.x\.modem/);
  t.regex(e.message, /SPEC R5/);
  t.throws(() => pickBoard(boards, "nope"), { message: /unknown board "nope"/ });
});

test("R93: emergency numbers reported by the network are tracked with AT+CEN=1", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  const lists: string[][] = [];
  fw.modem.events.on("emergencyNumbers", (l) => lists.push(l));
  await clock.advance(100);
  t.true(modem.commands.includes("AT+CEN=1"));
  await modem.end.write("\r\n+CEN1: 1,440\r\n\r\n+CEN2: 1,110\r\n\r\n+CEN2: 4,118\r\n\r\n+CEN2: 6,119\r\n\r\n+CEN2: 1,110\r\n");
  await clock.advance(10);
  t.deepEqual(fw.modem.status().emergencyNumbers, ["110", "118", "119"], "in use at once");
  await clock.advance(1000);
  t.deepEqual(lists, [["110", "118", "119"]], "told once, complete, not once per +CEN2 line; a repeated number is not told again");
});

test("a reboot in the middle of bring-up restarts it; the interrupted script sends nothing more", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.once["AT+CIMI"] = "\r\nRDY\r\n"; // the module restarts while answering an optional step
  await clock.advance(100);
  const i = modem.commands.indexOf("AT+CIMI");
  // The probe first: AT+CIMI was in flight, and a rebooted module may still answer it.
  t.deepEqual(modem.commands.slice(i + 1, i + 3), ["AT+CMEE?", "AT"], "bring-up starts over right after the banner");
  t.is(modem.commands.filter((c) => c === "AT+CCID").length, 1, "the old script did not go on to AT+CCID");
  t.is(fw.modem.status().state.name, "ready");
});

// ---- review: state that must not get stuck or grow ----

test("a SIM that stays locked for hours keeps retrying without piling up timer handles", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.table["AT+CPIN?"] = "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n";
  await clock.advance(3 * 3600 * 1000);
  t.is(fw.modem.status().state.name, "simLocked");
  t.true(modem.commands.filter((c) => c === "AT+CPIN?").length > 100, "it kept retrying");
  // The manager keeps the handles of its own timers; fired ones must not accumulate (Espruino heap).
  const held = (fw.modem as unknown as { timers: unknown[] }).timers.length;
  t.true(held <= 2, `${held} timer handles kept`);
});

test("a state listener that throws does not stop the modem manager", async (t) => {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const modem = new AutoModem(dce, healthyModemTable());
  const board = pickBoard(loadBoards(boardsJson), "sim-generic");
  const fw = createFirmware({ serial: dte, clock, pins: new RecordingPins(clock, []), storage: undefined }, board);
  let thrown = 0;
  fw.modem.events.on("state", () => {
    if (thrown++ === 0) throw new Error("a faulty listener");
  });
  t.throws(() => fw.start(), { message: "a faulty listener" }, "the listener's error still reaches the caller");
  await clock.advance(1000);
  t.true(modem.commands.includes("AT+CPIN?"), "bring-up ran");
  t.is(fw.modem.status().state.name, "ready");
});

test("R93: a new +CEN1 report replaces the network's emergency list (27.007 §8.67)", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  await clock.advance(100);
  await modem.end.write("\r\n+CEN1: 1,440,10\r\n\r\n+CEN2: 1,110\r\n\r\n+CEN2: 0,171\r\n");
  await clock.advance(10);
  t.deepEqual(fw.modem.status().emergencyNumbers, ["110", "171"]);
  // Another network, another list: 171 is no longer an emergency number here.
  await modem.end.write("\r\n+CEN1: 1,310,410\r\n\r\n+CEN2: 1,911\r\n");
  await clock.advance(10);
  t.deepEqual(fw.modem.status().emergencyNumbers, ["911"]);
  await modem.end.write("\r\n+CEN1: 1,440,10\r\n");
  await clock.advance(10);
  t.deepEqual(fw.modem.status().emergencyNumbers, [], "a report with no +CEN2 is an empty list");
});

test("R93: a list the network sent before AT+CEN=1 is read with AT+CEN? once the modem is up (no URC comes for it)", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.table["AT+CEN?"] = "\r\n+CEN1: 1,440,10\r\n+CEN2: 1,110\r\n+CEN2: 8,118\r\n+CEN2: 6,119\r\n+CEN2: 1,171\r\n\r\nOK\r\n";
  await clock.advance(1000);
  t.is(fw.modem.status().state.name, "ready");
  t.true(modem.commands.includes("AT+CEN?"));
  t.deepEqual(fw.modem.status().emergencyNumbers, ["110", "118", "119", "171"]);
});

test("identification answers given with their prefix (+CGMR:, +CGSN:) are read, not dropped as URCs", async (t) => {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const table = healthyModemTable();
  table["AT+CGMR"] = "\r\n+CGMR: A011B07A7670M7\r\n\r\nOK\r\n";
  table["AT+CGSN"] = "\r\n+CGSN: 490154203237518\r\n\r\nOK\r\n";
  new AutoModem(dce, table);
  const board = pickBoard(loadBoards(boardsJson), "sim-generic");
  const fw = startFirmware({ serial: dte, clock, pins: new RecordingPins(clock, []), storage: undefined }, board, { data: false });
  await clock.advance(1000);
  t.is(fw.modem.status().state.name, "ready");
  t.is(fw.modem.status().info.revision, "A011B07A7670M7");
  t.is(fw.modem.status().info.imei, "490154203237518");
});

test("R89: bring-up does not depend on the modem answering AT+CCWA=1", async (t) => {
  const { clock, modem, fw } = rig("car-linux-eg91");
  modem.table['AT+QCFG="ims",1'] = "\r\nOK\r\n";
  modem.table["AT+QDAI=1"] = "\r\nOK\r\n";
  modem.table["AT+QCCID"] = "\r\n+QCCID: 8981100000000000001F\r\n\r\nOK\r\n";
  modem.table["AT+CNMI=0,0,0,0,0"] = "\r\nOK\r\n";
  // A module that refuses the presentation setting (no network service yet, or no support).
  modem.table["AT+CCWA=1"] = "\r\n+CME ERROR: 30\r\n";
  await clock.advance(60 * 1000);
  t.true(modem.commands.includes("AT+CCWA=1"));
  t.is(fw.modem.status().state.name, "ready");
});

test("a +CEREG URC that lands just before the read's answer is not taken for lost verbosity", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  await clock.advance(100);
  t.is(fw.modem.status().state.name, "ready");
  // The cell changed as the read went out: the URC form (<stat>,...) comes first, then the answer.
  modem.table["AT+CEREG?"] = '\r\n+CEREG: 5,"1A2C","01C2D3E5",7\r\n\r\n+CEREG: 2,5,"1A2C","01C2D3E5",7\r\n\r\nOK\r\n';
  fw.modem.checkHealth();
  await clock.advance(100);
  t.is(fw.modem.status().state.name, "ready", "no bring-up for a modem that kept its settings");
  t.is(fw.modem.status().eps!.stat, "roaming");
  t.is(fw.modem.status().eps!.area, "1A2C");
});

test("no SIM in the module: bring-up waits slowly (noSim, not a locked SIM) and never resets the modem for it", async (t) => {
  const { clock, modem, pins, fw } = rig("sim-generic", ["reset"]);
  modem.table["AT+CPIN?"] = "\r\n+CME ERROR: 10\r\n";
  await clock.advance(30 * 60 * 1000);
  t.is(fw.modem.status().state.name, "noSim");
  t.is(fw.modem.simState(), "SIM NOT INSERTED");
  t.deepEqual(pins.log, [], "no reset pulses for a missing SIM");
});

test("the BG95's APP RDY after RDY is the same boot, not a second reboot", async (t) => {
  const { clock, modem, fw, states } = rig("watch-bangle2-bg95");
  modem.table['AT+QURCCFG="urcport","uart1"'] = "\r\nOK\r\n";
  await clock.advance(100);
  await modem.end.write("\r\nRDY\r\n");
  await clock.advance(5);
  await modem.end.write("\r\nAPP RDY\r\n\r\n+QIND: SMS DONE\r\n");
  await clock.advance(100);
  t.is(fw.modem.status().state.name, "ready");
  t.is(fw.modem.status().state.failures, 0);
  t.false(states.includes("backoff"));
});

test("a vendor boot line during a bare command is not taken for its answer (A7670 SMS DONE)", async (t) => {
  const { clock, modem, fw } = rig("bench-usb-a7670");
  modem.table["AT+CGMI"] = "\r\nSMS DONE\r\n\r\nSIMCOM INCORPORATED\r\n\r\nOK\r\n";
  modem.table["AT+CICCID"] = "\r\n+ICCID: 89810000000000000001\r\n\r\nOK\r\n";
  modem.table["AT+CSDVC=1"] = "\r\nOK\r\n";
  await clock.advance(500);
  t.is(fw.modem.status().info.manufacturer, "SIMCOM INCORPORATED");
});

test("the reset pulse lasts what the module's hardware design asks (BG95: 2.5 s)", async (t) => {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const modem = new AutoModem(dce, healthyModemTable());
  modem.muted = true;
  const pins = new RecordingPins(clock, ["reset"]);
  const board = pickBoard(loadBoards(boardsJson), "watch-bangle2-bg95");
  startFirmware({ serial: dte, clock, pins, storage: undefined }, board);
  await clock.advance(10 * 60 * 1000);
  const on = pins.log.find((l) => l.endsWith("reset=1"))!;
  const off = pins.log.find((l) => l.endsWith("reset=0"))!;
  t.is(parseInt(off, 10) - parseInt(on, 10), 2500);
});

test("bring-up starts with Esc, so a modem left waiting for an SMS body does not swallow it", async (t) => {
  const { simRig } = await import("../support/sim-rig.js");
  const r = await simRig();
  // The firmware died between AT+CMGS= and the PDU: the modem waits for the message text.
  await (r.fw.channel as unknown as { serial: { write(b: string): Promise<void> } }).serial.write("AT+CMGS=20\r");
  await r.run(100);
  r.fw.modem.post({ type: "hung" }); // the restarted firmware brings the modem up again
  await r.run(10000);
  t.is(r.fw.modem.status().state.name, "ready");
  t.deepEqual(r.network.sent, [], "nothing was sent as an SMS");
});

// ---- issue 14 §1: foreign modems and the number's settings ----

test("R58/R89: bring-up enables only the presentation of waiting calls (AT+CCWA=1), never the number's service (<mode>=1)", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  await clock.advance(100);
  t.true(modem.commands.includes("AT+CCWA=1"));
  t.false(
    modem.commands.some((c) => /^AT\+CCWA=\d,\d/.test(c)),
    "27.007 §7.12 <mode> is a supplementary-service request for every device of the number",
  );
  t.is(fw.modem.status().state.name, "ready");
});

test("issue 14: a modem that answers ERROR to a bare AT (phonesim) is alive: bring-up goes on at once", async (t) => {
  const { clock, modem, fw } = rig("sim-generic");
  modem.table["AT"] = "\r\nERROR\r\n";
  await clock.advance(100);
  t.is(modem.commands.filter((c) => c === "AT").length, 1, "the probe is not retried");
  t.is(modem.commands[1], "ATE0");
  t.is(fw.modem.status().state.name, "ready");
});

test("issue 14: on SIMCom, AT+CICCID answering ERROR falls back to the standard AT+CCID", async (t) => {
  const { clock, modem, fw } = rig("bench-usb-a7670");
  modem.table["AT+CICCID"] = "\r\nERROR\r\n";
  modem.table["AT+CSDVC=1"] = "\r\nOK\r\n";
  await clock.advance(500);
  const i = modem.commands.indexOf("AT+CICCID");
  t.true(i >= 0);
  t.is(modem.commands[i + 1], "AT+CCID");
  t.is(fw.modem.status().info.iccid, "8981100000000000000F");
});

test("issue 14: on Quectel, AT+QCCID answering ERROR falls back to the standard AT+CCID", async (t) => {
  const { clock, modem, fw } = rig("car-linux-eg91");
  modem.table['AT+QCFG="ims",1'] = "\r\nOK\r\n";
  modem.table["AT+QDAI=1"] = "\r\nOK\r\n";
  modem.table["AT+QCCID"] = "\r\nERROR\r\n";
  modem.table["AT+CNMI=0,0,0,0,0"] = "\r\nOK\r\n";
  await clock.advance(100);
  const i = modem.commands.indexOf("AT+QCCID");
  t.is(modem.commands[i + 1], "AT+CCID");
  t.is(fw.modem.status().info.iccid, "8981100000000000000F");
});
