/**
 * TLS on the host over the modem socket (companion-link.md §3.1): `mqtts` for a car unit
 * runs node:tls over the `ModemSocket` stream, so no certificate goes to the module. The
 * broker sits behind a TLS listener with a CA made at test start (openssl); a client
 * that trusts another CA is refused.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer as createTlsServer } from "node:tls";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { systemClock } from "../../hal/node/clock.js";
import { Emitter } from "../../hal/emitter.js";
import { AtChannel } from "../../drivers/at/index.js";
import type { Registration } from "../../drivers/modems/index.js";
import { quectelEg91 } from "../../drivers/modems/quectel.js";
import type { ModemState } from "../../firmware/modem/machine.js";
import { createDataStack } from "../../firmware/data/index.js";
import { modemPubSub } from "../../firmware/companion/mqttjs.node.js";
import { haveTool } from "../support/tools.js";
import { QuectelFake } from "../firmware/data-quectel-fake.js";
import { backend, json, makeLink, N, startBroker, until } from "./helpers.js";

function openssl(dir: string, args: string[]): void {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error("openssl " + args.join(" ") + ": " + r.stderr);
}

/** A CA and a server certificate for 127.0.0.1 signed by it; and a second, unrelated CA. */
function makePki(): { ca: Buffer; otherCa: Buffer; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), "sl-pki-"));
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=sharedline test CA"]);
  openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "2", "-subj", "/CN=someone else"]);
  openssl(dir, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1"]);
  const ext = path.join(dir, "ext.cnf");
  spawnSync("sh", ["-c", `printf 'subjectAltName=IP:127.0.0.1\\n' > ${ext}`]);
  openssl(dir, ["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", ext]);
  const r = (f: string) => readFileSync(path.join(dir, f));
  return { ca: r("ca.pem"), otherCa: r("other.pem"), key: r("srv.key"), cert: r("srv.pem") };
}

if (haveTool("openssl", "makes the test CA for the TLS listener", ["version"])) {
  const DEV = "tls0car1";
  const base = "sl/v1/" + N + "/dev/" + DEV + "/";

  async function rig(t: { teardown(fn: () => unknown): void }, trust: "right" | "wrong") {
    const pki = makePki();
    const broker = await startBroker();
    const tlsServer = createTlsServer({ key: pki.key, cert: pki.cert }, (s) => broker.aedes.handle(s));
    await new Promise<void>((r) => tlsServer.listen(0, "127.0.0.1", () => r()));
    const a = tlsServer.address();
    const tlsPort = typeof a === "object" && a ? a.port : 0;
    const [dte, dce] = memorySerialPair({}, {});
    const fake = new QuectelFake(dce);
    const channel = new AtChannel(dte, systemClock, { finals: quectelEg91.finals });
    const modemEvents = new Emitter<{ state: ModemState; registration: Registration }>();
    const stack = createDataStack(channel, systemClock, { events: modemEvents, resetModem: () => undefined }, "quectel-eg91", { apn: "internet", context: 1, healthyAfterMs: 60000 }, { sockets: { pollAfterSendMs: 30, idlePollMs: 300 } });
    const ps = modemPubSub(stack.sockets!, { host: "127.0.0.1", port: tlsPort, tls: { ca: trust === "right" ? pki.ca : pki.otherCa } });
    const l = makeLink(ps, DEV, { data: stack, config: { policy: { reconnect: { baseMs: 100000, capMs: 100000, minMs: 0 }, escalateAfter: 99, refusedWaitMs: 3600000, random: () => 0.5 } } });
    t.teardown(async () => {
      await l.link.stop();
      stack.stop();
      channel.close();
      tlsServer.close();
      await broker.close();
    });
    stack.session.start();
    modemEvents.emit("state", { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" });
    modemEvents.emit("registration", { domain: "eps", stat: "home", area: undefined, cell: undefined, act: 7, n: undefined });
    await l.link.start();
    return { broker, fake, link: l.link };
  }

  test("mqtts over the modem socket: TLS runs on the host, the module carries only ciphertext", async (t) => {
    const r = await rig(t, "right");
    await until(() => r.link.status().name === "online", "online over TLS through the modem", 15000);
    const be = await backend(r.broker.port, [base + "state"]);
    await until(() => be.seen.length > 0, "retained state");
    t.is(json(be.seen[0]).reg, "registered");
    // What the module was asked to send is TLS records, not MQTT: no topic text in it.
    const sent = r.fake.commands.filter((c) => c.indexOf("AT+QISENDEX=") === 0).map((c) => Buffer.from(c.split('"')[1], "hex").toString("latin1"));
    t.true(sent.length > 0);
    t.is(sent[0].charCodeAt(0), 0x16, "the first bytes are a TLS handshake record");
    t.false(sent.some((s) => s.indexOf("sl/v1/") >= 0));
    await be.client.endAsync();
  });

  test("a broker certificate from another CA is refused: the link never comes online", async (t) => {
    const r = await rig(t, "wrong");
    const failures: string[] = [];
    r.link.events.on("log", (m) => failures.push(m));
    await until(() => r.link.status().name === "backoff", "the connect failed", 15000);
    t.regex(r.link.status().reason, /certificate|self.signed|unable to verify|closed/i);
    t.not(r.link.status().name, "online");
  });
}
