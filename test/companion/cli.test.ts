/**
 * `sharedline start --mqtt ...`: the companion link wired from the command line. The
 * simulated accessory (board sim-generic, `url` adapter) comes up, announces itself and
 * publishes its state on a real broker; a bad combination is refused before anything runs.
 */
import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startCli } from "../support/cli-process.js";
import { companionSettings } from "../../cli/companion.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import boardsJson from "../../boards.json" with { type: "json" };
import { backend, json, N, startBroker, until } from "./helpers.js";

test("the console's accessory joins the broker with --mqtt and shows it online", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const be = await backend(broker.port, ["sl/v1/" + N + "/dev/cli0dev1/#"]);
  const data = mkdtempSync(path.join(tmpdir(), "sl-companion-"));
  const p = startCli(t, ["start", "--data", data, "--mqtt", "mqtt://127.0.0.1:" + broker.port, "--device-id", "cli0dev1", "--password", "pw", "--msisdn", "+819012345678"], "pipe");
  await until(() => be.seen.some((m) => m.topic.endsWith("/state")), "state from the CLI's firmware", 30000);
  t.is(json(be.seen.find((m) => m.topic.endsWith("/status"))).online, true);
  await p.out.waitFor((s) => s.indexOf("companion link: online") >= 0);
  p.child.kill("SIGTERM");
  await p.exit;
  await be.client.endAsync();
});

test("--mqtt without credentials is refused with the reason", async (t) => {
  const data = mkdtempSync(path.join(tmpdir(), "sl-companion-"));
  const p = startCli(t, ["start", "--data", data, "--mqtt", "mqtt://127.0.0.1:1"]);
  t.is(await p.exit, 2);
  t.regex(p.err.text, /--mqtt needs --device-id/);
});

test("a broker URL that cannot work fails the start loudly, naming --mqtt and the value, with exit code 2", async (t) => {
  for (const [url, said] of [
    ["mqtt://bad host", /--mqtt "mqtt:\/\/bad host": not a broker URL/],
    ["mqtt://h:99999", /--mqtt "mqtt:\/\/h:99999": not a broker URL/],
    ["mqtt://", /the broker is mqtt:\/\/host\[:port\] or mqtts:\/\/host\[:port\], not "mqtt:\/\/" \(host\)/],
  ] as const) {
    const data = mkdtempSync(path.join(tmpdir(), "sl-companion-"));
    const p = startCli(t, ["start", "--data", data, "--no-broker", "--mqtt", url, "--device-id", "d1", "--password", "pw", "--msisdn", "+819012345678"]);
    t.is(await p.exit, 2, url);
    t.regex(p.err.text, said, url);
  }
});

test("mqtts through the module's own MQTT stack: SIMCom with --mqtt-ca hands the CA to the module; without it, or on Quectel, refused", (t) => {
  const boards = loadBoards(boardsJson);
  const a7670 = pickBoard(boards, "bench-usb-a7670");
  const moduleA7670 = { ...a7670, data: { ...a7670.data, link: "modem-mqtt" as const } };
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), "sl-ca-")), "ca.pem");
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  writeFileSync(caFile, pem);
  const args = { mqtt: "mqtts://broker.example:8883", "device-id": "dev1", password: "pw", msisdn: "+819012345678" };
  const s = companionSettings(moduleA7670, { ...args, "mqtt-ca": caFile }, "t");
  t.is(s?.ca, pem);
  t.is(s?.url, "mqtts://broker.example:8883");
  t.throws(() => companionSettings(moduleA7670, args, "t"), { message: /needs --mqtt-ca/ });
  t.throws(() => companionSettings(pickBoard(boards, "watch-bangle2-bg95"), { ...args, "mqtt-ca": caFile }, "t"), { message: /quectel-bg95 module's own MQTT stack is not supported/ });
  t.is(companionSettings(a7670, args, "t")?.ca, undefined, "a modem-socket board runs TLS on the host");
});
