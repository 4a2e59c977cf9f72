/**
 * Quectel TCP/IP in buffer access mode (BG95 TCP/IP AN §2.3) on the simulated BG95, over
 * real TCP to an echo server: open, send, the one "recv" notice until the buffer is read
 * empty, the counters, the peer closing, PDP deactivation by the network.
 */
import test from "ava";
import { QUECTEL_BG95, closedPort, dataRig, echoServer } from "./data-rig.js";

test("+QICSGP/+QIACT/+QIOPEN/+QISEND/+QIRD: bytes go to a real server and back, binary-safe", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  t.is(await r.cmd('AT+QICSGP=1,1,"spmode.ne.jp","","",0'), "\r\nOK\r\n");
  t.is(await r.cmd("AT+QICSGP=1"), '\r\n+QICSGP: 1,"spmode.ne.jp","","",0\r\n\r\nOK\r\n');
  t.is(await r.cmd("AT+QIACT=1"), "\r\nOK\r\n");
  t.is(await r.cmd("AT+QIACT?"), '\r\n+QIACT: 1,1,1,"10.44.0.2"\r\n\r\nOK\r\n');
  r.mark();
  t.is(await r.cmd('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,0"), "\r\nOK\r\n");
  t.regex(await r.expect("+QIOPEN: 0,0\r\n"), /\r\n\+QIOPEN: 0,0\r\n$/);
  r.mark();
  const payload = "\x00\x1a\x1b\r\nAT+CHUP\r\xff";
  t.is(await r.raw("AT+QISEND=0," + payload.length + "\r", "> "), "\r\n> ");
  t.regex(await r.raw(payload, "SEND OK\r\n"), /^\r\nSEND OK\r\n/);
  await r.expect('+QIURC: "recv",0\r\n');
  t.is(await r.cmd("AT+QIRD=0,0"), "\r\n+QIRD: " + payload.length + ",0," + payload.length + "\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+QIRD=0,4"), "\r\n+QIRD: 4\r\n" + payload.slice(0, 4) + "\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+QIRD=0,1500"), "\r\n+QIRD: " + (payload.length - 4) + "\r\n" + payload.slice(4) + "\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+QIRD=0"), "\r\n+QIRD: 0\r\n\r\nOK\r\n");
  t.is(echo.received(), payload);
  t.regex(await r.cmd("AT+QISEND=0,0"), new RegExp("^\\r\\n\\+QISEND: " + payload.length + ",[0-9]+,[0-9]+\\r\\n\\r\\nOK\\r\\n$"));
  t.regex(await r.cmd("AT+QISTATE?"), new RegExp('^\\r\\n\\+QISTATE: 0,"TCP","127\\.0\\.0\\.1",' + echo.port + ',[0-9]+,2,1,0,0,"uart1"\\r\\n\\r\\nOK\\r\\n$'));
  t.is(await r.cmd("AT+QICLOSE=0"), "\r\nOK\r\n");
  t.is(await r.cmd("AT+QISTATE?"), "\r\nOK\r\n");
  t.deepEqual(r.modem.internalErrors, []);
});

test("buffer mode: one \"recv\" notice until the buffer is read empty, then a new one for new data", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+QIACT=1");
  r.mark();
  await r.cmd('AT+QIOPEN=1,3,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 3,0");
  await r.raw("AT+QISEND=3,2\r", "> ");
  r.mark();
  await r.raw("ab", "SEND OK");
  await r.expect('+QIURC: "recv",3');
  // More data arrives while the buffer holds unread bytes: no second notice.
  await r.raw("AT+QISEND=3,2\r", "> ");
  await r.raw("cd", "SEND OK");
  await echo.clients[0];
  t.is(await r.cmd("AT+QIRD=3,1"), "\r\n+QIRD: 1\r\na\r\n\r\nOK\r\n");
  // Wait until the server's second echo is in the modem's buffer (the counters say so).
  for (let i = 0; i < 200 && (await r.cmd("AT+QIRD=3,0")).indexOf("+QIRD: 4,") < 0; i++) await new Promise((res) => setTimeout(res, 5));
  t.is((r.out.text.match(/\+QIURC: "recv",3/g) || []).length, 1);
  t.is(await r.cmd("AT+QIRD=3"), "\r\n+QIRD: 3\r\nbcd\r\n\r\nOK\r\n");
  r.mark();
  await r.raw("AT+QISEND=3,1\r", "> ");
  await r.raw("e", "SEND OK");
  await r.expect('+QIURC: "recv",3');
  t.is((r.out.text.match(/\+QIURC: "recv",3/g) || []).length, 2);
});

test("the peer closes: +QIURC \"closed\", unread data stays readable, <socket_state> 4 until +QICLOSE", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+QIACT=1");
  r.mark();
  await r.cmd('AT+QIOPEN=1,1,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 1,0");
  await r.raw("AT+QISEND=1,3\r", "> ");
  r.mark();
  await r.raw("bye", "SEND OK");
  await r.expect('+QIURC: "recv",1');
  echo.clients[0].end();
  await r.expect('+QIURC: "closed",1\r\n');
  t.regex(await r.cmd("AT+QISTATE=1,1"), /\+QISTATE: 1,"TCP","127\.0\.0\.1",[0-9]+,[0-9]+,4,1,/);
  t.is(await r.cmd("AT+QIRD=1"), "\r\n+QIRD: 3\r\nbye\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+CMEE=1;+QISEND=1,1"), "\r\n+CME ERROR: 567\r\n");
  t.is(await r.cmd("AT+QIGETERROR"), "\r\n+QIGETERROR: 567,socket has been closed\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+QICLOSE=1"), "\r\nOK\r\n");
  t.is(await r.cmd("AT+QISTATE?"), "\r\nOK\r\n");
});

test("a refused connection is +QIOPEN: <id>,566; a context that is not active is 561; direct push is not offered", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+CMEE=1");
  r.mark();
  await r.cmd('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 0,561\r\n");
  await r.cmd("AT+QIACT=1");
  t.is(await r.cmd('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,1"), "\r\n+CME ERROR: 555\r\n");
  r.mark();
  await r.cmd('AT+QIOPEN=1,2,"TCP","127.0.0.1",' + (await closedPort()) + ",0,0");
  await r.expect("+QIOPEN: 2,566\r\n");
  // The failed socket left nothing behind: its id opens again.
  r.mark();
  await r.cmd('AT+QIOPEN=1,2,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 2,0\r\n");
});

test("pdpdeact: the network ends the context; sockets stay in state 4 for the client to close, +CGEV reports it", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+CGEREP=2,1;+QIACT=1");
  r.mark();
  await r.cmd('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 0,0");
  r.mark();
  r.net.pdnDeactivate(1);
  t.is(await r.expect('+QIURC: "pdpdeact",1\r\n'), '\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+QIURC: "pdpdeact",1\r\n');
  t.regex(await r.cmd("AT+QISTATE?"), /\+QISTATE: 0,"TCP","127\.0\.0\.1",[0-9]+,[0-9]+,4,1,/);
  t.is(await r.cmd("AT+QIACT?"), "\r\nOK\r\n");
  r.mark();
  t.is(await r.cmd("AT+QICLOSE=0;+QIDEACT=1;+QIACT=1"), "\r\nOK\r\n");
  t.is(await r.expect("ACT 1\r\n"), "\r\nOK\r\n\r\n+CGEV: ME PDN ACT 1\r\n");
  t.deepEqual(r.net.activePdns, [1]);
});

test("fault knobs: a lost \"recv\" notice leaves the data for a poll; the module closing a socket says \"closed\"", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+QIACT=1");
  r.mark();
  await r.cmd('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,0");
  await r.expect("+QIOPEN: 0,0");
  r.modem.dataFaults.loseNotices = 1;
  await r.raw("AT+QISEND=0,4\r", "> ");
  await r.raw("ping", "SEND OK");
  // No notice comes; the client polls the counters until the echo is there, and reads it.
  for (let i = 0; i < 400 && (await r.cmd("AT+QIRD=0,0")).indexOf("+QIRD: 4,0,4") < 0; i++) await new Promise((res) => setTimeout(res, 5));
  t.is(await r.cmd("AT+QIRD=0"), "\r\n+QIRD: 4\r\nping\r\n\r\nOK\r\n");
  t.false(r.out.text.includes('+QIURC: "recv"'));
  t.is(r.modem.dataFaults.loseNotices, 0);
  r.mark();
  t.true(r.modem.closeSocket(0));
  await r.expect('+QIURC: "closed",0\r\n');
  t.false(r.modem.closeSocket(0));
  t.regex(await r.cmd("AT+QISTATE=1,0"), /,4,1,0,0,"uart1"/);
});
