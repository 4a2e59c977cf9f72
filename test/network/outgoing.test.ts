/**
 * Outgoing calls from the devices of a shared number (SPEC.md §5; R1, R88).
 */
import test from "ava";
import { MSISDN, ceer, world } from "./harness.js";

const FRIEND = "+81312345678";

test("R1: a call from an accessory shows the shared number to the called party", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at("ATD0312345678;", 1), "\r\nOK\r\n");
  const friend = w.net.outside(FRIEND);
  t.is(friend.lastCall!.peer, MSISDN);
  t.false(friend.lastCall!.withheld);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,3,0,0,"0312345678",129\r\n\r\nOK\r\n');
  friend.answer();
  await w.run(0);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"0312345678",129\r\n\r\nOK\r\n');
  friend.hangup();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
});

test("R38: 184 withholds and 186 presents the number per call; +CLIR and the number's permanent setting also apply", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const friend = w.net.outside(FRIEND);
  await a1.at("ATD1840312345678;");
  t.true(friend.lastCall!.withheld);
  t.is(friend.lastCall!.peer, "");
  t.is(w.log({ kind: "dial" })[0].detail.prefix, "184");
  await a1.at("ATH");
  await a1.at("AT+CLIR=1;D0312345678;");
  t.true(friend.lastCall!.withheld, "+CLIR=1 hides");
  await a1.at("ATH;+CLIR=0");
  w.num.changeSettings(undefined, { presentation: "restricted" }, "R58");
  await a1.at("ATD0312345678;");
  t.true(friend.lastCall!.withheld, "permanent restriction for the number");
  await a1.at("ATH");
  await a1.at("ATD1860312345678;");
  t.false(friend.lastCall!.withheld, "186 presents it for this call");
  t.is(friend.lastCall!.peer, MSISDN);
  await a1.at("ATH");
  w.num.phone.dial("1840312345678");
  t.true(friend.lastCall!.withheld, "the same for P");
});

test("R39: while P owns the line, an accessory's call is refused with #34 'Line in use on another device'", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.dial(FRIEND);
  t.is(await a1.at("ATD0311112222;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 34,"Line in use on another device"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "refused" }).map((e) => [e.device, e.cause, e.rule]), [["A1", 34, "R39"]]);
  t.is(w.net.outside("+81311112222").calls.length, 0, "nothing reached the called party");
});

test("R88: the refusal shows the same way on a modem printing only the cause (+CEER location-cause style)", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { modem: { ceerStyle: "location-cause" } });
  w.num.phone.dial(FRIEND);
  t.is(await a1.at("ATD0311112222;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), "\r\n+CEER: 8,34,0\r\n\r\nOK\r\n");
});

test("R40: two accessories dial in the same instant: the one the network hears first gets the line, the other #34", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a2.host.write("ATD0311112222;\r");
  await a1.host.write("ATD0322223333;\r");
  await w.run(1);
  t.is(a2.take(), "\r\nOK\r\n");
  t.is(a1.take(), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 34,"Line in use on another device"\r\n\r\nOK\r\n');
  t.is(w.num.line.owner, "A2");
  t.deepEqual(w.kinds({ kind: ["dial", "refused"] }), ["dial", "dial", "refused"]);
});

test("R42: a call from a device to the number itself finds the line busy: BUSY, or voicemail with busy forwarding", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at("ATD09012345678;", 1), "\r\nOK\r\n\r\nBUSY\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 17,"User busy"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "busy" }).map((e) => [e.rule, e.detail.reason]), [["R42", "own-number"]]);
  t.is(w.num.line.state.mode.kind, "idle");
  w.num.changeSettings(undefined, { callWaiting: true, voicemail: true }, "R58");
  t.is(await a1.at("ATD+819012345678;", 1), "\r\nOK\r\n");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"+819012345678",145\r\n\r\nOK\r\n', "voicemail answered, no waiting call to itself");
  t.is(w.num.line.owner, "A1");
});

test("R43: a blocked short code is refused from an accessory with #63, but not from P", async (t) => {
  const w = await world({ params: { shortCodeBlocklist: ["211", "311"] } });
  const a1 = await w.accessory();
  t.is(await a1.at("ATD311;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 63,"This number cannot be called from an accessory"\r\n\r\nOK\r\n');
  w.num.phone.dial("311");
  t.is(w.net.outside("311").lastCall!.state, "ringing");
  t.deepEqual(w.log({ kind: "refused" }).map((e) => [e.device, e.rule]), [["A1", "R43"]]);
});

test("R94: calls between two shared numbers on one network: the other number's devices ring with this number", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const other = w.net.createNumber("+819099998888");
  const b1 = await w.accessory({ friendlyName: "Car" }, { msisdn: other.msisdn });
  await b1.at("AT+CLIP=1");
  t.is(await a1.at("ATD09099998888;", 1), "\r\nOK\r\n");
  t.is(b1.take(), '\r\nRING\r\n\r\n+CLIP: "+819012345678",145\r\n');
  t.is(await b1.at("ATA", 1), "\r\nOK\r\n");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"09099998888",129\r\n\r\nOK\r\n');
  t.is(w.num.line.owner, "A1");
  t.is(other.line.owner, "A1");
  await a1.at("ATH");
  t.is(await b1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(other.line.state.mode.kind, "idle");
});

test("R42 R60: the accessory's own-number call diverted by busy forwarding shows the number that answered as connected line (+COLP, 27.007's intermediate result)", async (t) => {
  const w = await world({ number: { settings: { forwarding: { busy: "+81398765432" } } } });
  const a1 = await w.accessory({}, { modem: { vendor: "quectel" } });
  t.is(await a1.at("AT+COLP=1;D+819012345678;", 1), "", "the dial waits for the answer");
  t.is(w.net.outside("+81398765432").lastCall!.state, "ringing", "diverted (R42 busy handling, R60 busy forwarding)");
  w.net.outside("+81398765432").answer();
  t.is(await a1.wait(1), '\r\n+COLP: "+81398765432",145\r\n\r\nOK\r\n');
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"+819012345678",145\r\n\r\nOK\r\n', "+CLCC keeps the dialled number");
});

test("R1: calling another shared number, whichever of its devices answers, the caller's connected line is that number; voicemail has none", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const other = w.net.createNumber("+819011112222", { multiDevice: true });
  t.is(await a1.at("AT+COLP=1;D+819011112222;", 1), "", "27.007's intermediate form: the dial waits for the answer");
  other.phone.answer();
  t.is(await a1.wait(1), '\r\n+COLP: "+819011112222",145\r\n\r\nOK\r\n');
  await a1.at("ATH", 1);
  other.changeSettings(undefined, { forwarding: { unconditional: "voicemail" } }, "R58");
  t.is(await a1.at("ATD+819011112222;", 1), '\r\n+COLP: "",128\r\n\r\nOK\r\n', "voicemail answers at once, without a connected number");
});
