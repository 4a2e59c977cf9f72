/**
 * companion-link.md §4.4 on a real mosquitto (Debian package, started here, not as a
 * service): a TLS listener with a CA made at test start (openssl command line),
 * anonymous access off, the password and ACL files generated from the registry.
 */
import test from "ava";
import mqtt from "mqtt";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { haveTool } from "../support/tools.js";
import { BrokerRegistry } from "../../sim/broker/registry.js";
import { makeTestCa, mosquittoAcl, startMosquitto } from "../../sim/broker/mosquitto.js";
import { fleet, isolationMatrix } from "./isolation.js";

if (haveTool("mosquitto", "the companion link's CI broker", ["-h"]) && haveTool("openssl", "the test CA", ["version"])) {
  test("R15 mosquitto (TLS, generated passwd and ACL): every pair of devices is isolated; a revoked device is inert and refused", async (t) => {
    const registry = new BrokerRegistry();
    const devs = fleet(registry);
    const m = await startMosquitto(registry);
    t.teardown(() => m.close());
    t.regex(m.url, /^mqtts:\/\/127\.0\.0\.1:[0-9]+$/);
    await isolationMatrix(
      t,
      {
        url: m.url,
        ca: m.ca,
        revoke: async (d) => {
          registry.revoke(d);
          await m.reload();
        },
      },
      registry,
      devs,
    );
  });

  test("mosquitto's TLS listener refuses plain TCP and a client that trusts another CA; the right CA connects", async (t) => {
    const registry = new BrokerRegistry();
    const [a] = fleet(registry);
    const m = await startMosquitto(registry);
    t.teardown(() => m.close());
    const other = mkdtempSync(join(tmpdir(), "sharedline-otherca-"));
    t.teardown(() => rmSync(other, { recursive: true, force: true }));
    const wrongCa = makeTestCa(other).ca;
    const attempt = (url: string, ca: string | undefined) =>
      new Promise<string>((resolve) => {
        const c = mqtt.connect(url, { clientId: a.device, username: a.device, password: a.password, ca, servername: "localhost", reconnectPeriod: 0, connectTimeout: 5000 });
        c.once("connect", () => (c.end(true), resolve("connected")));
        c.once("error", (e) => (c.end(true), resolve("error: " + e.message)));
        c.once("close", () => resolve("closed"));
      });
    t.is(await attempt(m.url, m.ca), "connected");
    t.not(await attempt(m.url, wrongCa), "connected");
    t.not(await attempt(m.url.replace("mqtts:", "mqtt:"), undefined), "connected");
    // A raw TCP client that speaks MQTT in clear gets no CONNACK.
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(m.port, "127.0.0.1", () => s.write(Buffer.from("101000044d5154540402003c0004746573740000", "hex")));
      let data = "";
      s.on("data", (d) => (data += d.toString("hex")));
      s.on("close", () => resolve(data));
      s.on("error", () => undefined);
    });
    t.false(got.startsWith("2002"), "no CONNACK over plain TCP");
  });
}

test("the ACL file names every device's topics; the backend alone has the tree", (t) => {
  const registry = new BrokerRegistry();
  const [a, , b] = fleet(registry);
  const acl = mosquittoAcl(registry);
  t.true(acl.includes("user " + registry.backend.username + "\ntopic readwrite sl/v1/#\n"));
  t.true(
    acl.includes(
      [
        "user " + a.device,
        "topic read sl/v1/819012345678/line",
        "topic read sl/v1/819012345678/dev/+/status",
        "topic read sl/v1/819012345678/dev/+/state",
        "topic read sl/v1/819012345678/dev/" + a.device + "/desired",
        "topic read sl/v1/819012345678/dev/" + a.device + "/cmd",
        "topic write sl/v1/819012345678/dev/" + a.device + "/status",
        "topic write sl/v1/819012345678/dev/" + a.device + "/state",
        "topic write sl/v1/819012345678/dev/" + a.device + "/ack",
      ].join("\n"),
    ),
  );
  t.true(acl.includes("user " + b.device + "\ntopic read sl/v1/819087654321/line\n"));
  t.false(/#|\+/.test(a.device + b.device));
  t.regex(registry.passwordFile(), new RegExp("^" + registry.backend.username + ":\\$7\\$101\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+$", "m"));
});
