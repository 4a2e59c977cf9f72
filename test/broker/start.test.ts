/**
 * `npm start` (sharedline start without --port) runs the embedded broker and the
 * simulated network as the backend; the console's accessory links with the credential
 * it was issued. `--no-broker` leaves the link off.
 */
import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { startCli } from "../support/cli-process.js";

test("npm start: the embedded broker is printed at start, the accessory comes online on it with its issued credential", async (t) => {
  const data = mkdtempSync(path.join(tmpdir(), "sl-start-broker-"));
  const p = startCli(t, ["start", "--data", data, "--board", "watch-bangle2-bg95"], "pipe");
  const first = await p.out.waitFor(/companion-link broker (mqtt:\/\/127\.0\.0\.1:[0-9]+)/, 30000);
  const url = /companion-link broker (mqtt:\/\/127\.0\.0\.1:[0-9]+)/.exec(first)![1];
  await p.out.waitFor((s) => s.indexOf("companion link: online") >= 0, 30000);
  // Through the watch's own (simulated) module MQTT stack: the broker refuses strangers.
  const stranger = mqtt.connect(url, { clientId: "nobody", username: "nobody", password: "x", reconnectPeriod: 0 });
  const err = await new Promise<Error & { code?: number }>((resolve) => stranger.once("error", resolve));
  stranger.end(true);
  t.is(err.code, 4);
  p.child.kill("SIGTERM");
  await p.exit;
});

test("npm start --no-broker: no broker, no link; --broker-port with --port is refused", async (t) => {
  const data = mkdtempSync(path.join(tmpdir(), "sl-start-broker-"));
  const p = startCli(t, ["start", "--data", data, "--no-broker"], "pipe");
  const out = await p.out.waitFor((s) => s.indexOf("modem identified") >= 0, 30000);
  t.false(out.includes("companion-link broker"));
  p.child.kill("SIGTERM");
  await p.exit;
  const bad = startCli(t, ["run", "--port", "tcp://127.0.0.1:1", "--board", "sim-generic", "--broker-port", "5"]);
  t.is(await bad.exit, 2);
});

test("sharedline sim --accessories prints its embedded broker; the control interface gives each accessory's credential", async (t) => {
  const p = startCli(t, ["sim", "--accessories", "1", "--tcp", "0", "--quiet"]);
  const out = await p.out.waitFor(/sim: control on (http:\/\/127\.0\.0\.1:[0-9]+)/, 30000);
  const broker = /sim: broker (mqtt:\/\/127\.0\.0\.1:[0-9]+) \(embedded aedes/.exec(out);
  t.truthy(broker, out);
  const control = /sim: control on (http:\/\/127\.0\.0\.1:[0-9]+)/.exec(out)![1];
  const c = (await (await fetch(control + "/broker/credentials/A1")).json()) as { url: string; username: string; password: string; clientId: string };
  t.is(c.url, broker![1]);
  const dev = await mqtt.connectAsync(c.url, { clientId: c.clientId, username: c.username, password: c.password, reconnectPeriod: 0 });
  await dev.endAsync();
  p.child.kill("SIGTERM");
  await p.exit;
});
