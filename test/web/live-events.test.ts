/**
 * The live view's data without a browser: the server-sent event stream (a snapshot at
 * once, another when the network moves), the states it gives devices, SMS followed
 * through storage and retry (R68), and `npm start` serving the pages beside its console.
 */
import test, { type ExecutionContext } from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALICE, atClient, served } from "../serve/helpers.js";
import { startCli } from "../support/cli-process.js";
import type { LiveSnapshot } from "../../sim/web/live-state.js";

/** The `snapshot` events of /live/events, in order; the stream ends at teardown. */
async function snapshots(t: ExecutionContext, base: string): Promise<(what: string, ok: (s: LiveSnapshot) => boolean) => Promise<LiveSnapshot>> {
  const abort = new AbortController();
  t.teardown(() => abort.abort());
  const res = await fetch(base + "/live/events", { signal: abort.signal });
  t.is(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<LiveSnapshot> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: snapshot$/m.test(frame)) return JSON.parse(/^data: (.*)$/m.exec(frame)![1]) as LiveSnapshot;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return async (what, ok) => {
    for (let seen = 0; seen < 200; seen++) {
      const s = await next();
      if (ok(s)) return s;
    }
    throw new Error("no snapshot with " + what);
  };
}

const stateOf = (s: LiveSnapshot, id: string) => s.devices.find((d) => d.id === id)!.state;

test("R19: the live events stream gives a snapshot at once and a new one when a call rings the devices", async (t) => {
  const s = await served(t);
  const until = await snapshots(t, s.control.url);
  const first = await until("the number", () => true);
  t.is(first.number, s.server.num.msisdn);
  t.deepEqual(first.devices.map((d) => [d.id, d.state]), [["P", "idle"], ["A1", "idle"], ["A2", "idle"]]);
  t.is(first.time.mode, "virtual");
  await s.api("POST", `/outside/${ALICE}/call`);
  const ringing = await until("every device ringing", (x) => x.devices.every((d) => d.state === "ringing"));
  t.is(ringing.line, "alerting(P,A1,A2)");
  t.deepEqual(ringing.calls.map((c) => [c.direction, c.from, c.to]), [["in", ALICE, s.server.num.msisdn]]);
  await s.api("POST", "/phone/answer");
  const answered = await until("P in the call", (x) => stateOf(x, "P") === "in-call");
  t.is(stateOf(answered, "A1"), "idle");
  t.deepEqual(answered.calls[0].legs, [{ device: "P", state: "active" }]);
});

test("R16, R47: an accessory unregistered mid-call stays in it; P's emergency call pre-empts that call and the accessory is then unregistered", async (t) => {
  const s = await served(t);
  const until = await snapshots(t, s.control.url);
  const a1 = await atClient(t, s.server.accessories[0].where);
  await s.api("POST", `/outside/${ALICE}/call`);
  await a1.rx.waitFor("RING");
  a1.send("ATA");
  await until("A1 in the call", (x) => stateOf(x, "A1") === "in-call");
  t.is((await s.api("DELETE", "/devices/A1")).status, 200);
  const leaving = await until("A1 unregistering", (x) => x.devices.find((d) => d.id === "A1")!.detail.indexOf("unregistering after the call") >= 0);
  t.is(stateOf(leaving, "A1"), "in-call", "R16: the call goes on");
  await s.api("POST", "/phone/dial", { number: "110" });
  const sos = await until("P in an emergency call", (x) => stateOf(x, "P") === "emergency" && stateOf(x, "A1") === "unregistered");
  t.is(sos.line, "idle +emergency(P)");
  t.true(sos.calls.some((c) => c.emergency && c.from === "P" && c.to === "110"));
});

test("R68: an SMS for a priority accessory out of coverage is shown stored, then delivered when it is back", async (t) => {
  const s = await served(t);
  const until = await snapshots(t, s.control.url);
  s.server.num.setPriority("A1", undefined, "R68");
  await s.api("POST", "/devices/A1/coverage", { state: "none" });
  await s.api("POST", `/outside/${ALICE}/sms`, { text: "are you there?" });
  const stored = await until("the message stored for A1", (x) => x.sms.length === 1 && x.sms[0].deliveries.some((d) => d.device === "A1" && d.status === "stored"));
  t.is(stored.sms[0].text, "are you there?");
  t.is(stored.sms[0].from, ALICE);
  t.is(stored.priority, "A1");
  t.is(stored.devices.find((d) => d.id === "A1")!.smsPriority, true);
  await s.api("POST", "/devices/A1/coverage", { state: "full" });
  const delivered = await until("the message delivered to A1", (x) => x.sms[0].deliveries.some((d) => d.device === "A1" && d.status === "delivered"));
  t.deepEqual(delivered.sms[0].deliveries.map((d) => d.device).sort(), ["A1", "A2", "P"], "R67: and a copy to each other reachable native device");
});

test("npm start serves the management site and the live view beside its console", async (t) => {
  const cli = startCli(t, ["start", "--data", mkdtempSync(join(tmpdir(), "sl-web-"))], "pipe");
  const text = await cli.out.waitFor(/web: management site (http:\/\/127\.0\.0\.1:[0-9]+)\//, 30000);
  const base = /web: management site (http:\/\/127\.0\.0\.1:[0-9]+)\//.exec(text)![1];
  const page = await fetch(base + "/?lang=ja", { headers: { accept: "text/html" } });
  t.is(page.status, 200);
  t.regex(await page.text(), /ワンナンバーサービス管理サイト/);
  const until = await snapshots(t, base);
  const first = await until("the accessory", (x) => x.devices.some((d) => d.id === "A1"));
  t.is(first.devices.find((d) => d.id === "A1")!.name, "my watch");
  cli.child.stdin!.write("ring\n");
  await until("the accessory ringing", (x) => stateOf(x, "A1") === "ringing" || stateOf(x, "P") === "ringing");
  cli.child.stdin!.end();
  t.is(await cli.exit, 0);
});

test("R62: an SMS a device of the number sends is shown with its recipient, its text and that the recipient got it", async (t) => {
  const s = await served(t);
  const until = await snapshots(t, s.control.url);
  await s.api("POST", "/phone/sms", { to: ALICE, text: "on my way" });
  const sent = await until("the sent message", (x) => x.sms.some((m) => m.direction === "out"));
  const m = sent.sms.find((x) => x.direction === "out")!;
  t.is(m.from, "P");
  t.is(m.to, ALICE);
  t.is(m.text, "on my way");
  t.deepEqual(m.deliveries, [{ device: ALICE, status: "delivered" }]);
  t.is(m.rule, "R62");
});
