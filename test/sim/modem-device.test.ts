/**
 * What real LTE modules answer and clients send at start-up (issue 14 §2), on the
 * simulated modem: numbers that +CSCS does not convert, +GCAP, +CPAS, +CLVL/+CMUT,
 * +IPR/+ICF/+IFC, &V, +CIND/+CMER with +CIEV, +CCLK/+CTZR/+CTZU with the network's
 * time, phonebooks, and SIM file access by +CRSM/+CSIM.
 */
import test from "ava";
import { harness } from "./harness.js";

test("27.007 §7.18/§7.6: +CLCC, +CLIP, +CCWA, +COLP and +CNUM numbers are not converted by +CSCS (only text is)", async (t) => {
  const h = await harness();
  await h.at('ATE0;+CLIP=1;+CCWA=1;+COLP=1;+CSCS="UCS2"');
  h.net.ringIn("+819012345678");
  t.is(await h.wait(0), '\r\nRING\r\n\r\n+CLIP: "+819012345678",145\r\n');
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,4,0,0,"+819012345678",145\r\n\r\nOK\r\n');
  await h.at("ATA", 10);
  h.net.ringIn("+819099998888");
  t.regex(await h.wait(0), /\+CCWA: "\+819099998888",145,1/);
  t.is(await h.at("AT+CNUM"), '\r\n+CNUM: ,"+819012345678",145\r\n\r\nOK\r\n');
  // The operator name, a text, still follows UCS2.
  t.regex(await h.at("AT+COPS?"), /\+COPS: 0,0,"00[0-9A-F]+"/);
});

test("+GCAP, +CPAS through a call, +CLVL, +CMUT only in a call", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+GCAP"), "\r\n+GCAP: +CGSM,+DS,+ES\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CPAS"), "\r\n+CPAS: 0\r\n\r\nOK\r\n");
  h.net.ringIn("+819012345678");
  await h.wait(0);
  t.is(await h.at("AT+CPAS"), "\r\n+CPAS: 3\r\n\r\nOK\r\n");
  await h.at("ATA", 10);
  t.is(await h.at("AT+CPAS"), "\r\n+CPAS: 4\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMUT=1;+CMUT?"), "\r\n+CMUT: 1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CLVL?;+CLVL=5;+CLVL?;+CLVL=6"), "\r\n+CLVL: 3\r\n\r\n+CLVL: 5\r\n\r\n+CME ERROR: 50\r\n");
  await h.at("ATH", 10);
  t.is(await h.at("AT+CMUT=1"), "\r\n+CME ERROR: 3\r\n");
});

test("+IPR/+ICF/+IFC keep what is set (V.250 §6.2.10-12), reject what a UART cannot do, and &V shows the profile", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+IPR?;+ICF?;+IFC?"), "\r\n+IPR: 115200\r\n\r\n+ICF: 3,3\r\n\r\n+IFC: 0,0\r\n\r\nOK\r\n");
  t.is(await h.at("AT+IPR=921600;+IFC=2,2;+IPR?;+IFC?"), "\r\n+IPR: 921600\r\n\r\n+IFC: 2,2\r\n\r\nOK\r\n");
  t.is(await h.at("AT+IPR=12345"), "\r\n+CME ERROR: 50\r\n");
  t.is(await h.at("AT+IFC=1,1"), "\r\n+CME ERROR: 4\r\n");
  const v = await h.at("AT&V");
  t.regex(v, /ACTIVE PROFILE:\r\nE0 Q0 V1 \+CMEE: 1 \+CSCS: "IRA" \+CMGF: 0\r\n/);
  t.regex(v, /\+IPR: 921600 \+ICF: 3,3 \+IFC: 2,2/);
  t.true(v.endsWith("\r\nOK\r\n"));
  await h.at("ATZ");
  t.is(await h.at("ATE0;+IPR?"), "ATE0;+IPR?\r\r\n+IPR: 115200\r\n\r\nOK\r\n", "ATZ: echo on again, the rate back to its default");
});

test("+CIND lists the indicators; +CMER=3,0,0,1 reports changes as +CIEV (signal, service, call, callsetup)", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(
    await h.at("AT+CIND=?"),
    '\r\n+CIND: ("battchg",(0-5)),("signal",(0-5)),("service",(0,1)),("call",(0,1)),("roam",(0,1)),("smsfull",(0,1)),("message",(0,1)),("callsetup",(0-3))\r\n\r\nOK\r\n',
  );
  t.is(await h.at("AT+CIND?"), "\r\n+CIND: 5,5,1,0,0,0,0,0\r\n\r\nOK\r\n");
  await h.at("AT+CMER=3,0,0,1");
  h.net.ringIn("+819012345678");
  t.is(await h.wait(0), "\r\nRING\r\n\r\n+CIEV: 8,1\r\n");
  // Answered: a call exists (4,1) and the set-up is over (8,0), reported after the command's OK.
  t.is(await h.at("ATA", 10), "\r\nOK\r\n\r\n+CIEV: 4,1\r\n\r\n+CIEV: 8,0\r\n");
  t.is(await h.at("AT+CIND?"), "\r\n+CIND: 5,5,1,1,0,0,0,0\r\n\r\nOK\r\n");
  h.net.setSignal({ rssi: 3, ber: 99, rsrq: 5, rsrp: 10 });
  t.is(await h.wait(0), "\r\n+CIEV: 2,1\r\n");
  h.net.setRegistration("roaming");
  t.is(await h.wait(0), "\r\n+CIEV: 5,1\r\n");
  await h.at("AT+CMER=0");
  h.net.setRegistration("home");
  t.is(await h.wait(0), "");
});

test("+CCLK: the network's time after +CTZU=1; +CCLK= sets it; +CTZR=1/2 report the zone when the modem registers", async (t) => {
  const h = await harness({}, { registration: "none" });
  await h.at("ATE0;+CMEE=1");
  // Before any network time the clock counts from the simulation's start in UTC.
  t.is(await h.at("AT+CCLK?"), '\r\n+CCLK: "26/01/01,00:00:00+00"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CCLK="25/12/31,23:59:00+00";+CCLK?'), '\r\n+CCLK: "25/12/31,23:59:00+00"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CCLK="25/13/31,23:59:00+00"'), "\r\n+CME ERROR: 50\r\n");
  await h.at("AT+CTZU=1;+CTZR=2");
  h.net.setRegistration("home");
  t.is(await h.wait(0), '\r\n+CTZE: +36,0,"2026/01/01,09:00:00"\r\n');
  t.is(await h.at("AT+CCLK?"), '\r\n+CCLK: "26/01/01,09:00:00+36"\r\n\r\nOK\r\n', "NITZ set the clock and the zone");
  await h.at("AT+CTZR=1");
  h.net.setRegistration("none");
  await h.wait(0);
  h.net.setRegistration("home");
  t.is(await h.wait(0), "\r\n+CTZV: +36\r\n");
});

test("phonebooks: ON holds the subscriber number, EN the emergency numbers, SM takes +CPBW; text follows +CSCS, numbers do not", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at('AT+CPBS=?'), '\r\n+CPBS: ("SM","ON","EN")\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CPBS="ON";+CPBS?;+CPBR=1'), '\r\n+CPBS: "ON",1,4\r\n\r\n+CPBR: 1,"+819012345678",145,""\r\n\r\nOK\r\n');
  t.regex(await h.at('AT+CPBS="EN";+CPBR=1,8'), /\+CPBR: 1,"110",129,""\r\n\+CPBR: 2,"118",129,""\r\n\+CPBR: 3,"119",129,""/);
  t.is(await h.at('AT+CPBS="SM";+CPBR=1'), "\r\n+CME ERROR: 22\r\n");
  t.is(await h.at('AT+CPBW=,"+819011112222",145,"Mum";+CPBR=1'), '\r\n+CPBR: 1,"+819011112222",145,"Mum"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSCS="UCS2";+CPBR=1'), '\r\n+CPBR: 1,"+819011112222",145,"004D0075006D"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CPBW=2,"12;34"'), "\r\n+CME ERROR: 27\r\n");
  t.is(await h.at("AT+CPBR=?"), "\r\n+CPBR: (1-250),40,18\r\n\r\nOK\r\n");
});

test("+CRSM reads the SIM's files as oFono does: EF_ICCID, EF_AD, EF_SPN, EF_MSISDN, EF_IMSI; unknown files 6A82", async (t) => {
  const h = await harness({ identity: { iccid: "8981100012345678901", imsi: "440101234567890", msisdn: "+819012345678" } });
  await h.at("ATE0");
  t.is(await h.at("AT+CRSM=176,12258,0,0,10"), '\r\n+CRSM: 144,0,"981801002143658709F1"\r\n\r\nOK\r\n', "ICCID swapped BCD with F filler");
  t.is(await h.at("AT+CRSM=192,28589,0,0,15"), '\r\n+CRSM: 144,0,"000000046FAD0400' + '0FFFFF01020000"\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CRSM=176,28589,0,0,4"), '\r\n+CRSM: 144,0,"00000002"\r\n\r\nOK\r\n', "EF_AD: 2-digit MNC");
  t.is(await h.at("AT+CRSM=176,28486,0,0,17"), '\r\n+CRSM: 144,0,"0053494D4E4554' + "FF".repeat(10) + '"\r\n\r\nOK\r\n', "EF_SPN: display condition, SIMNET in the default alphabet, FF padding");
  t.is(await h.at("AT+CRSM=178,28480,1,4,14"), '\r\n+CRSM: 144,0,"0791180921436587FFFFFFFFFFFF"\r\n\r\nOK\r\n', "EF_MSISDN: BCD length 7, TON/NPI 91, the digits, CCP and Ext unused");
  t.is(await h.at("AT+CRSM=176,28423,0,0,9"), '\r\n+CRSM: 144,0,"084904012143658709"\r\n\r\nOK\r\n', "EF_IMSI: length, parity nibble 9, digits");
  t.is(await h.at("AT+CRSM=176,28474,0,0,1"), '\r\n+CRSM: 106,130\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CRSM=178,28480,2,4,14"), '\r\n+CRSM: 106,131\r\n\r\nOK\r\n');
});

test("+CSIM carries the same reads as APDUs: SELECT (9F xx / 61 xx), GET RESPONSE, READ BINARY", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at('AT+CSIM=14,"A0A40000022FE2"'), '\r\n+CSIM: 4,"9F0F"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSIM=10,"A0C000000F"'), '\r\n+CSIM: 34,"0000000A2FE204000FFFFF010200009000"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSIM=10,"A0B000000A"'), '\r\n+CSIM: 24,"981801002143658709F19000"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSIM=14,"00A40004026F07"'), '\r\n+CSIM: 4,"610F"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSIM=14,"00A40004026F99"'), '\r\n+CSIM: 4,"6A82"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSIM=9,"A0B000000"'), "\r\n+CME ERROR: 50\r\n");
});
