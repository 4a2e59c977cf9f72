/**
 * Packet domain commands (27.007 §10.1) on every profile of the simulated modem, with
 * the +CGEV reports of §10.1.19 under +CGEREP.
 */
import test from "ava";
import { harness } from "./harness.js";

test("+CGDCONT defines, reads back and undefines contexts; bad types and APNs are refused", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IP","","0.0.0.0",0,0\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CGDCONT=1,"IPV4V6","spmode.ne.jp";+CGDCONT=3,"IP","internet"'), "\r\nOK\r\n");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IPV4V6","spmode.ne.jp","0.0.0.0",0,0\r\n+CGDCONT: 3,"IP","internet","0.0.0.0",0,0\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CGDCONT=3;+CGDCONT?"), '\r\n+CGDCONT: 1,"IPV4V6","spmode.ne.jp","0.0.0.0",0,0\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CGDCONT=2,"X25","a"'), "\r\n+CME ERROR: 50\r\n");
  t.is(await h.at('AT+CGDCONT=2,"IP","bad apn;x"'), "\r\n+CME ERROR: 50\r\n");
  t.is(await h.at('AT+CGDCONT=16,"IP","a"'), "\r\n+CME ERROR: 50\r\n");
  t.regex(await h.at("AT+CGDCONT=?"), /\+CGDCONT: \(1-15\),"IP",,,\(0-3\),\(0-4\)/);
});

test("+CGACT/+CGPADDR: activation asks the network, +CGEV reports ME PDN ACT/DEACT; a refusal maps the ESM cause", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+CGEREP=2,0"), "\r\nOK\r\n");
  t.is(await h.at("AT+CGEREP?"), "\r\n+CGEREP: 2,0\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGACT=1,1"), "\r\nOK\r\n\r\n+CGEV: ME PDN ACT 1\r\n");
  t.is(await h.at("AT+CGACT?;+CGPADDR=1"), '\r\n+CGACT: 1,1\r\n\r\n+CGPADDR: 1,"10.44.0.2"\r\n\r\nOK\r\n');
  t.deepEqual(h.net.activePdns, [1]);
  t.is(await h.at("AT+CGACT=0"), "\r\nOK\r\n\r\n+CGEV: ME PDN DEACT 1\r\n");
  t.deepEqual(h.net.activePdns, []);
  t.is(await h.at("AT+CGPADDR"), "\r\n+CGPADDR: 1\r\n\r\nOK\r\n");
  h.net.apns = ["spmode.ne.jp"];
  t.is(await h.at('AT+CGDCONT=1,"IP","nosuch.example";+CGACT=1,1'), "\r\n+CME ERROR: 533\r\n");
  h.net.dataRefusal = 33;
  t.is(await h.at('AT+CGDCONT=1,"IP","spmode.ne.jp";+CGACT=1,1'), "\r\n+CME ERROR: 133\r\n");
  t.is(await h.at("AT+CGACT=1,7"), "\r\n+CME ERROR: 50\r\n");
});

test("+CGATT: attached while registered; a detach ends the contexts first; no attach without the network", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1;+CGEREP=1");
  t.is(await h.at("AT+CGATT?"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
  await h.at("AT+CGACT=1,1");
  t.is(await h.at("AT+CGATT=0"), "\r\nOK\r\n\r\n+CGEV: ME PDN DEACT 1\r\n\r\n+CGEV: ME DETACH\r\n");
  t.is(await h.at("AT+CGATT?"), "\r\n+CGATT: 0\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGATT=1;+CGATT?"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
  h.net.setRegistration("searching");
  await h.wait(0);
  t.is(await h.at("AT+CGATT=1"), "\r\n+CME ERROR: 30\r\n");
  t.is(await h.at("AT+CGACT=1,1"), "\r\n+CME ERROR: 30\r\n");
});

test("R15: losing the registration ends the contexts as the network's doing, then NW DETACH; the network's deactivation is NW PDN DEACT", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CGEREP=2");
  await h.at("AT+CGACT=1,1");
  h.net.pdnDeactivate(1);
  t.is(await h.wait(0), "\r\n+CGEV: NW PDN DEACT 1\r\n");
  await h.at("AT+CGACT=1,1");
  h.net.setRegistration("denied");
  t.is(await h.wait(0), "\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+CGEV: NW DETACH\r\n");
  t.is(await h.at("AT+CGACT?"), "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
});

test("+CGEREP=0 keeps reports in the MT; <bfr> 1 flushes them when reporting starts, <bfr> 0 clears them", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  await h.at("AT+CGACT=1,1");
  t.is(await h.at("AT+CGACT=0,1"), "\r\nOK\r\n");
  t.is(await h.at("AT+CGEREP=1,1"), "\r\nOK\r\n\r\n+CGEV: ME PDN ACT 1\r\n\r\n+CGEV: ME PDN DEACT 1\r\n");
  await h.at("AT+CGEREP=0;+CGACT=1,1");
  t.is(await h.at("AT+CGEREP=2,0"), "\r\nOK\r\n");
  t.is(await h.wait(0), "");
});

test("a reboot forgets active contexts (definitions stay)", async (t) => {
  const h = await harness();
  await h.at('ATE0;+CGDCONT=1,"IP","spmode.ne.jp";+CGACT=1,1');
  h.modem.reboot();
  await h.wait(0);
  await h.at("ATE0");
  t.is(await h.at("AT+CGACT?"), "\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IP","spmode.ne.jp","0.0.0.0",0,0\r\n\r\nOK\r\n');
});
