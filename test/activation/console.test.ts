/**
 * `npm start -- --first-boot` as a person uses it (SPEC R7, R8, R15, R18): the firmware
 * says how to register the accessory, `phone register` registers it through the
 * entitlement server, a call then rings it, `phone unregister` makes it say One Number
 * is not active.
 */
import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCli } from "../support/cli-process.js";

test("R7 R8 R18: first boot on the console: how to register, phone register, a ringing call, phone unregister", async (t) => {
  const data = mkdtempSync(path.join(tmpdir(), "sharedline-first-boot-"));
  const p = startCli(t, ["start", "--first-boot", "--data", data], "pipe");
  const send = (line: string) => p.child.stdin!.write(line + "\n");
  await p.out.waitFor(/register this accessory with IMEI 356938035643809 and EID \d{32}\./, 40000);
  send("phone register");
  await p.out.waitFor(/phone: registered IMEI 356938035643809, profile \d{19} downloaded to it \(OperationResult=1 SubscriptionResult=2 ServiceStatus=2\)/, 20000);
  await p.out.waitFor(/One Number is active on this device/, 20000);
  await p.out.waitFor(/LTE: registered \(home\)/, 20000);
  send("ring");
  await p.out.waitFor(/incoming call from \+81311112222/, 20000);
  send("caller hangup");
  send("phone unregister");
  await p.out.waitFor(/phone: unregistered IMEI 356938035643809 \(OperationResult=1 ServiceStatus=3\)/, 20000);
  await p.out.waitFor(/One Number is not active on this device/, 20000);
  send("phone register nobody");
  await p.out.waitFor(/no accessory "nobody" paired with the smartphone/, 20000);
  send("quit");
  t.is(await p.exit, 0);
  // What a person reads about activation: sentences, each once per change; no terse state lines.
  const text = p.out.text;
  t.notRegex(text, /activation: (checking|active|notActive|noProfile)/);
  t.is(text.split("One Number is active on this device").length - 1, 1, "active: said once");
  t.is(text.split("One Number is not active on this device").length - 1, 1, "not active: said once");
  t.is(text.split("register this accessory with IMEI").length - 1, 1, "how to register: said once");
  t.regex(text, /A One Number profile is on this device \(ICCID \d{19}\): waiting for the network to accept it/, "the new profile, in words");
});
