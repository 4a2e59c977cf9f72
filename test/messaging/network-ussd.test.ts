/**
 * Network-initiated USSD (issue 14 §1; 27.007 §7.15, 24.090 §4.2): a `+CUSD` nobody asked
 * for is shown (an event with its text), and when the network waits (`<m>` = 1) the user
 * answers it in that session or ends it with `AT+CUSD=2`.
 */
import test from "ava";
import { messagingRig } from "./rig.js";

test("R91: a network-initiated USSD request is shown; the user's reply goes back in the session and the network's answer comes back", async (t) => {
  const r = await messagingRig({ network: { ussd: { "1": { status: 0, text: "Thank you: roaming data is on", dcs: 15 } } } });
  const shown: { status: number; text: string; replyExpected: boolean }[] = [];
  r.dev.messaging.events.on("networkUssd", (u) => shown.push(u));
  r.network.ussdNotify({ status: 1, text: "Turn roaming data on? 1 yes, 2 no", dcs: 15 });
  await r.run(100);
  t.deepEqual(shown, [{ status: 1, text: "Turn roaming data on? 1 yes, 2 no", replyExpected: true }]);
  const a = await r.act(r.dev.messaging.ussdReply("1"));
  t.true(r.dev.commands.includes('AT+CUSD=1,"1",15'));
  t.deepEqual(r.network.ussdRequests, ["1"]);
  t.is(a.kind, "answer");
  t.is(a.kind === "answer" ? a.cusd.text : "", "Thank you: roaming data is on");
  const again = await r.act(r.dev.messaging.ussdReply("2"));
  t.is(again.kind, "failed", "the session is over: nothing waits for an answer");
});

test("R91: a network-initiated USSD request can be declined: AT+CUSD=2 ends the session", async (t) => {
  const r = await messagingRig();
  r.network.ussdNotify({ status: 1, text: "Survey: press 1", dcs: 15 });
  await r.run(100);
  await r.act(r.dev.messaging.ussdEnd());
  t.true(r.dev.commands.includes("AT+CUSD=2"));
  t.true(r.network.log.some((l) => l.includes("ussd cancel")));
  const a = await r.act(r.dev.messaging.ussdReply("1"));
  t.is(a.kind, "failed");
});

test("R91: a network notice that asks nothing (<m> = 0) is shown and needs no answer", async (t) => {
  const r = await messagingRig();
  const shown: { replyExpected: boolean; text: string }[] = [];
  r.dev.messaging.events.on("networkUssd", (u) => shown.push(u));
  r.network.ussdNotify({ status: 0, text: "Your balance is 1,000 yen", dcs: 15 });
  await r.run(100);
  t.deepEqual(shown, [{ status: 0, text: "Your balance is 1,000 yen", replyExpected: false }]);
});
