/**
 * Registration, operator, signal, emergency numbers and USSD as the simulated modem shows
 * them (27.007 §7.2, §7.3, §7.15, §8.5, §8.67, §8.69, §10.1.22).
 */
import test from "ava";
import { harness } from "./harness.js";

test("+CREG/+CEREG <n>=0/1/2: read forms and the URCs for home, roaming, denied, searching", async (t) => {
  const h = await harness({}, { tac: 0x00c3, ci: 0x1a13f });
  await h.at("ATE0");
  t.is(await h.at("AT+CEREG?"), "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CREG=1;+CEREG=2"), "\r\nOK\r\n");
  t.is(await h.at("AT+CEREG?"), '\r\n+CEREG: 2,1,"00C3","0001A13F",7\r\n\r\nOK\r\n');
  h.net.setRegistration("roaming");
  t.is(await h.wait(0), '\r\n+CREG: 5\r\n\r\n+CEREG: 5,"00C3","0001A13F",7\r\n');
  h.net.setRegistration("denied");
  t.is(await h.wait(0), "\r\n+CREG: 3\r\n\r\n+CEREG: 3\r\n");
  t.is(await h.at("AT+CEREG?;+CREG?"), "\r\n+CEREG: 2,3\r\n\r\n+CREG: 1,3\r\n\r\nOK\r\n");
  h.net.setRegistration("searching");
  t.is(await h.wait(0), "\r\n+CREG: 2\r\n\r\n+CEREG: 2\r\n");
  h.net.setRegistration("home", { tac: 0x1234 });
  t.is(await h.wait(0), '\r\n+CREG: 1\r\n\r\n+CEREG: 1,"1234","0001A13F",7\r\n');
  // A cell change alone is reported only with <n>=2.
  h.net.setRegistration("home", { ci: 0x42 });
  t.is(await h.wait(0), '\r\n+CEREG: 1,"1234","00000042",7\r\n');
  t.is(await h.at("AT+CEREG=0"), "\r\nOK\r\n");
  h.net.setRegistration("none");
  t.is(await h.wait(0), "\r\n+CREG: 0\r\n");
  t.is(await h.at("AT+CEREG=3"), "\r\nERROR\r\n");
  t.is(await h.at("AT+CGREG=?"), "\r\n+CGREG: (0-2)\r\n\r\nOK\r\n");
});

test("a URC that falls due while a command runs comes after its final result", async (t) => {
  const h = await harness({ responseDelayMs: 100 });
  await h.at("ATE0;+CREG=1", 100);
  await h.host.write("AT+CSQ\r");
  await h.clock.advance(50);
  h.net.setRegistration("roaming");
  t.is(await h.wait(100), "\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\n+CREG: 5\r\n");
});

test("+COPS: read in the three formats, the test list, deregistration with mode 2", async (t) => {
  const h = await harness({}, { operator: { long: "NTT DOCOMO", short: "docomo", numeric: "44010" } });
  await h.at("ATE0;+CREG=1");
  t.is(await h.at("AT+COPS?"), '\r\n+COPS: 0,0,"NTT DOCOMO",7\r\n\r\nOK\r\n');
  t.is(await h.at("AT+COPS=3,1;+COPS?"), '\r\n+COPS: 0,1,"docomo",7\r\n\r\nOK\r\n');
  t.is(await h.at("AT+COPS=3,2;+COPS?"), '\r\n+COPS: 0,2,"44010",7\r\n\r\nOK\r\n');
  t.is(await h.at("AT+COPS=?"), '\r\n+COPS: (2,"NTT DOCOMO","docomo","44010",7),,(0,1,2,3,4),(0,1,2)\r\n\r\nOK\r\n');
  t.is(await h.at("AT+COPS=2"), "\r\nOK\r\n\r\n+CREG: 0\r\n");
  t.false(h.net.attached);
  t.is(await h.at("AT+COPS?"), "\r\n+COPS: 2\r\n\r\nOK\r\n");
  t.is(await h.at("AT+COPS=0", 1), "\r\nOK\r\n\r\n+CREG: 1\r\n");
  t.is(await h.at('AT+CMEE=1;+COPS=1,2,"99999"'), "\r\n+CME ERROR: 30\r\n");
});

test("+CSQ and +CESQ follow the network's signal; unknown without radio", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  h.net.setSignal({ rssi: 31, ber: 0, rsrq: 34, rsrp: 97 });
  await h.wait(0);
  t.is(await h.at("AT+CSQ;+CESQ"), "\r\n+CSQ: 31,0\r\n\r\n+CESQ: 99,99,255,255,34,97\r\n\r\nOK\r\n");
  await h.at("AT+CFUN=0");
  t.is(await h.at("AT+CSQ;+CESQ;+CGATT?"), "\r\n+CSQ: 99,99\r\n\r\n+CESQ: 99,99,255,255,255,255\r\n\r\n+CGATT: 0\r\n\r\nOK\r\n");
});

test("R93: emergency numbers from the network are read with +CEN and reported with +CEN1/+CEN2 URCs", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("AT+CEN?"), "\r\n+CEN1: 0,440,10\r\n+CEN2: 1,110\r\n+CEN2: 8,118\r\n+CEN2: 6,119\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CEN=1"), "\r\nOK\r\n");
  h.net.setEmergencyNumbers({ mcc: 440, mnc: 10, numbers: [{ number: "110", categories: 1 }, { number: "119", categories: 6 }, { number: "118", categories: 8 }, { number: "189", categories: 2 }] });
  t.is(await h.wait(0), "\r\n+CEN1: 1,440,10\r\n+CEN2: 1,110\r\n+CEN2: 6,119\r\n+CEN2: 8,118\r\n+CEN2: 2,189\r\n");
  t.true(h.modem.isEmergency("189"));
  t.is(await h.at("AT+CEN=?"), "\r\n+CEN: (0,1)\r\n\r\nOK\r\n");
});

test("R91: USSD results as +CUSD: <m>,<str>,<dcs>; 4 not supported; 5 when the network never answers", async (t) => {
  const h = await harness({ ussdTimeoutMs: 30000 }, { ussd: { "*#103#": { status: 0, text: "103*7*0# smartphone", dcs: 15 }, "*100#": null } });
  await h.at("ATE0");
  t.is(await h.at('AT+CUSD=1,"*#103#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*0# smartphone",15\r\n');
  t.deepEqual(h.net.ussdRequests, ["*#103#"]);
  t.is(await h.at('AT+CUSD=1,"*999#",15', 1), "\r\nOK\r\n\r\n+CUSD: 4\r\n");
  t.is(await h.at('AT+CUSD=1,"*100#",15', 1), "\r\nOK\r\n");
  t.is(await h.wait(29998), "");
  t.is(await h.wait(1), "\r\n+CUSD: 5\r\n");
  t.is(await h.at("AT+CUSD?;+CUSD=?"), "\r\n+CUSD: 1\r\n\r\n+CUSD: (0-2)\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CUSD=2"), "\r\nOK\r\n");
  t.is(h.net.log[h.net.log.length - 1], "ussd cancel");
});

test("R91: USSD strings follow +CSCS for 7-bit text and are hex octets for UCS2 (dcs 72)", async (t) => {
  const h = await harness({}, { ussd: { "*100#": { status: 0, text: "Your balance is 12.34 EUR", dcs: 15 }, "*101#": { status: 1, text: "残高", dcs: 72 } } });
  await h.at('ATE0;+CSCS="UCS2"');
  t.is(
    await h.at('AT+CUSD=1,"002A0031003000300023",15', 1),
    '\r\nOK\r\n\r\n+CUSD: 0,"0059006F00750072002000620061006C0061006E00630065002000690073002000310032002E003300340020004500550052",15\r\n',
  );
  await h.at('AT+CSCS="IRA"');
  t.is(await h.at('AT+CUSD=1,"*101#"', 1), '\r\nOK\r\n\r\n+CUSD: 1,"6B8B9AD8",72\r\n');
  t.is(await h.at('AT+CMEE=1;+CSCS="UCS2";+CUSD=1,"2A1",15'), "\r\n+CME ERROR: 25\r\n");
  // With <n>=0 the result is not shown.
  t.is(await h.at('AT+CSCS="IRA";+CUSD=0,"*100#"', 1), "\r\nOK\r\n");
});

test("USSD needs the network: +CME ERROR: 30 when not registered", async (t) => {
  const h = await harness({}, { registration: "searching" });
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at('AT+CUSD=1,"*100#",15', 1), "\r\n+CME ERROR: 30\r\n");
  t.deepEqual(h.net.ussdRequests, []);
});

test("+CGDCONT: define, read and undefine PDP contexts; the definitions survive a reboot (27.007 §10.1.1)", async (t) => {
  const h = await harness({});
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IP","","0.0.0.0",0,0\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CGDCONT=1,"IP","spmode.ne.jp";+CGDCONT=3,"IPV6","ims"'), "\r\nOK\r\n");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IP","spmode.ne.jp","0.0.0.0",0,0\r\n+CGDCONT: 3,"IPV6","ims","0.0.0.0",0,0\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CGDCONT=3"), "\r\nOK\r\n");
  t.is(await h.at('AT+CGDCONT=2,"X25","a"'), "\r\n+CME ERROR: 50\r\n");
  t.is(await h.at('AT+CGDCONT=16,"IP","a"'), "\r\n+CME ERROR: 50\r\n");
  h.modem.reboot();
  await h.wait(5000);
  await h.at("ATE0");
  t.is(await h.at("AT+CGDCONT?"), '\r\n+CGDCONT: 1,"IP","spmode.ne.jp","0.0.0.0",0,0\r\n\r\nOK\r\n');
});
