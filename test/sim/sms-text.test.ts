/**
 * SMS text mode on the simulated modem (27.005 §3-§4, issue 14 §2): +CMGF=1, +CSMP,
 * +CSDH, text +CMGS and +CMGW, +CMGL and +CMGR listings, the routed +CMT, and switching
 * back to PDU mode over the same stored messages.
 */
import test from "ava";
import { harness } from "./harness.js";

const CTRL_Z = "\x1a";
// 2026-01-01 00:00:00 UTC (the virtual clock's start), shown in Japan time.
const SCTS = '"26/01/01,09:00:00+36"';

async function textModem() {
  const h = await harness();
  await h.at("ATE0;+CMGF=1");
  return h;
}

test("+CMGF=1 switches to text mode and back; +CSMP and +CSDH have their 27.005 defaults", async (t) => {
  const h = await harness();
  t.is(await h.at("ATE0;+CMGF=?"), "ATE0;+CMGF=?\r\r\n+CMGF: (0,1)\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMGF=1;+CMGF?"), "\r\n+CMGF: 1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CSMP?;+CSDH?"), "\r\n+CSMP: 17,167,0,0\r\n\r\n+CSDH: 0\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CSMP=49,170,0,8;+CSMP?"), "\r\n+CSMP: 49,170,0,8\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CSMP=16"), "\r\nERROR\r\n", "an SMS-DELIVER first octet is refused");
  t.is(await h.at("AT+CMEE=1;+CSMP=16"), "\r\n+CMS ERROR: 305\r\n");
  t.is(await h.at("ATZ"), "\r\nOK\r\n", "echo was off when ATZ was read");
  t.is(await h.at("AT+CMGF?;+CSMP?"), "AT+CMGF?;+CSMP?\r\r\n+CMGF: 0\r\n\r\n+CSMP: 17,167,0,0\r\n\r\nOK\r\n", "ATZ restores PDU mode and the defaults");
});

test('text +CMGS: AT+CMGS="<da>", the prompt, the text, Ctrl-Z: the network gets a 7-bit SUBMIT with +CSMP validity', async (t) => {
  const h = await textModem();
  t.is(await h.at('AT+CMGS="+819087654321"'), "\r\n> ");
  t.is(await h.send("Hello from text mode @ {ok}" + CTRL_Z), "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  t.like(h.net.sent[0], { to: "+819087654321", text: "Hello from text mode @ {ok}", alphabet: "gsm7", messageRef: 0 });
  // UCS2 via +CSMP DCS 8: the text is typed as hex of the UCS2 octets (27.005 §3.1 <data>).
  await h.at("AT+CSMP=17,167,0,8");
  t.is(await h.at('AT+CMGS="09012345678",129'), "\r\n> ");
  t.is(await h.send("30533093306B3061306F" + CTRL_Z), "\r\n+CMGS: 1\r\n\r\nOK\r\n");
  t.like(h.net.sent[1], { to: "09012345678", text: "こんにちは", alphabet: "ucs2" });
  // Bad text is refused and nothing is sent.
  await h.at("AT+CMEE=1");
  await h.at('AT+CMGS="+819087654321"');
  t.is(await h.send("3053309" + CTRL_Z), "\r\n+CMS ERROR: 305\r\n");
  t.is(h.net.sent.length, 2);
  t.is(await h.at('AT+CMGS="+81-90"'), "\r\n+CMS ERROR: 305\r\n");
});

test("+CMGL and +CMGR in text mode: stat names, <oa>, <scts>, <data>; +CSDH=1 adds <tooa>, <length> and the header fields", async (t) => {
  const h = await textModem();
  h.net.deliverSms({ from: "+819011112222", text: "first message" });
  h.net.deliverSms({ from: "+819033334444", text: "日本語" });
  await h.wait(10);
  t.is(
    await h.at('AT+CMGL="ALL"'),
    '\r\n+CMGL: 1,"REC UNREAD","+819011112222",,' + SCTS + "\r\nfirst message\r\n" + '+CMGL: 2,"REC UNREAD","+819033334444",,' + SCTS + "\r\n65E5672C8A9E\r\n\r\nOK\r\n",
  );
  t.is(await h.at('AT+CMGL="REC UNREAD"'), "\r\nOK\r\n", "listed messages became read");
  await h.at("AT+CSDH=1");
  t.is(await h.at("AT+CMGR=1"), '\r\n+CMGR: "REC READ","+819011112222",,' + SCTS + ',145,4,0,0,"+819000000000",145,13\r\nfirst message\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CMGL="REC READ"'), '\r\n+CMGL: 1,"REC READ","+819011112222",,' + SCTS + ",145,13\r\nfirst message\r\n" + '+CMGL: 2,"REC READ","+819033334444",,' + SCTS + ",145,6\r\n65E5672C8A9E\r\n\r\nOK\r\n");
  t.is(await h.at('AT+CMGL="NEW"'), "\r\nERROR\r\n");
  // The same store in PDU mode.
  t.regex(await h.at("AT+CMGF=0;+CMGL=4"), /^\r\n\+CMGL: 1,1,,\d+\r\n[0-9A-F]+\r\n/);
});

test("+CMGW in text mode stores a SUBMIT that +CMSS sends and +CMGR shows with its <da>", async (t) => {
  const h = await textModem();
  t.is(await h.at('AT+CMGW="+819087654321"'), "\r\n> ");
  t.is(await h.send("stored draft" + CTRL_Z), "\r\n+CMGW: 1\r\n\r\nOK\r\n");
  await h.at('AT+CPMS="SM","SM","SM"');
  t.is(await h.at("AT+CMGR=1"), '\r\n+CMGR: "STO UNSENT","+819087654321",\r\nstored draft\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CMSS=1"), "\r\n+CMSS: 0\r\n\r\nOK\r\n");
  t.like(h.net.sent[0], { to: "+819087654321", text: "stored draft" });
});

test("the routed +CMT in text mode: +CNMI=2,2 shows <oa>,,<scts> and the text, with +CSDH=1 the header fields", async (t) => {
  const h = await textModem();
  await h.at("AT+CNMI=2,2");
  h.net.deliverSms({ from: "+819011112222", text: "routed text" });
  t.is(await h.wait(10), '\r\n+CMT: "+819011112222",,' + SCTS + "\r\nrouted text\r\n");
  await h.at("AT+CSDH=1");
  h.net.deliverSms({ from: "+819011112222", text: "again" });
  t.is(await h.wait(10), '\r\n+CMT: "+819011112222",,' + SCTS + ',145,4,0,0,"+819000000000",145,5\r\nagain\r\n');
  // Addresses follow +CSCS in 27.005 text mode (§3.1 <oa>), unlike 27.007's call numbers.
  await h.at('AT+CSCS="UCS2"');
  h.net.deliverSms({ from: "+819011112222", text: "hex" });
  t.regex(await h.wait(10), /^\r\n\+CMT: "002B003800310039003000310031003100310032003200320032",,/);
});
