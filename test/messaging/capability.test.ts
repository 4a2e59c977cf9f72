/**
 * Capability gating (SPEC R5, R64, R65, R71): a board without native SMS refuses SMS
 * operations with a clear message before anything reaches the modem.
 */
import test from "ava";
import { MessagingError } from "../../firmware/messaging/index.js";
import { messagingRig } from "./rig.js";

test("R64: an sms=relay board refuses to send at once, saying SMS goes through the paired phone; the modem is not touched", async (t) => {
  const r = await messagingRig({ sms: "relay" });
  t.regex(r.dev.messaging.capability(), /through the paired phone/);
  const before = r.dev.commands.length;
  const e = await t.throwsAsync(r.dev.messaging.send("+819011112222", "hi"));
  t.true(MessagingError.is(e));
  t.is((e as unknown as { code: string }).code, "capability");
  t.regex(e!.message, /through the paired phone/);
  await r.run(5000);
  t.is(r.dev.commands.length, before, "no AT command written");
  t.false(r.dev.commands.some((c) => c.startsWith("AT+CMG")), "no SMS command at start either");
});

test("R65: an sms=none board says so before a message is written, refuses to send, and reads nothing from the modem", async (t) => {
  const r = await messagingRig({ sms: "none", modem: { smsSupported: false } });
  t.is(r.dev.messaging.capability(), "this device has no SMS: it can neither send nor receive messages");
  const e = await t.throwsAsync(r.dev.messaging.send("+819011112222", "hi"));
  t.is((e as unknown as { code: string }).code, "capability");
  t.regex(e!.message, /no SMS/);
  // Bring-up keeps deliveries off this board (AT+CNMI=0,...); an indication that comes anyway is not acted on.
  t.true(r.dev.commands.includes("AT+CNMI=0,0,0,0,0"));
  r.modem.urc('+CMTI: "SM",1');
  await r.run(2000);
  t.false(r.dev.commands.some((c) => c.startsWith("AT+CMG")));
  t.deepEqual(await r.dev.messaging.inbox(), []);
  // Going to the AT layer anyway would only have failed halfway: the module answers +CMS ERROR: 303.
  const err = await t.throwsAsync(r.act(r.dev.fw.channel.send({ cmd: "AT+CMGS=10", mode: "prompt", payload: "00" })));
  t.regex(err!.message, /303|not supported/);
});

test("R71: relay and none boards never receive SMS from the modem even if routing were on", async (t) => {
  for (const sms of ["relay", "none"] as const) {
    const r = await messagingRig({ sms });
    r.network.deliverSms({ from: "+819033334444", text: "should not be taken" });
    await r.run(3000);
    t.deepEqual(r.dev.received, [], sms);
    t.false(r.dev.commands.some((c) => c.startsWith("AT+CMGR") || c.startsWith("AT+CMGL") || c === "AT+CNMA"), sms);
  }
});
