/**
 * SIMCom TCP/IP (A76XX TCPIP AN) on the simulated A7670 over real TCP: +NETOPEN,
 * +CIPOPEN, +CIPSEND with its `>` prompt, manual receive (+CIPRXGET=1: one notice until
 * read empty, reads as text or hex), the push mode, +IPCLOSE, and +CIPEVENT when the
 * network drops the context.
 */
import test from "ava";
import { SIMCOM_A7670, closedPort, dataRig, echoServer } from "./data-rig.js";

test("+NETOPEN/+CIPOPEN/+CIPSEND/+CIPRXGET=1..4/+CIPCLOSE over a real connection", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: SIMCOM_A7670 });
  t.is(await r.cmd('AT+CGDCONT=1,"IP","spmode.ne.jp";+CIPRXGET=1'), "\r\nOK\r\n");
  r.mark();
  await r.cmd("AT+NETOPEN");
  await r.expect("+NETOPEN: 0\r\n");
  t.is(await r.cmd("AT+NETOPEN"), "\r\n+IP ERROR: Network is already opened\r\n\r\nERROR\r\n");
  t.is(await r.cmd("AT+NETOPEN?;+IPADDR"), "\r\n+NETOPEN: 1\r\n\r\n+IPADDR: 10.44.0.2\r\n\r\nOK\r\n");
  r.mark();
  await r.cmd('AT+CIPOPEN=0,"TCP","127.0.0.1",' + echo.port);
  await r.expect("+CIPOPEN: 0,0\r\n");
  r.mark();
  const bytes = "\x00\r\n\x1a>";
  t.is(await r.raw("AT+CIPSEND=0," + bytes.length + "\r", "\r\n>"), "\r\n>");
  await r.raw(bytes, "+CIPSEND: 0,5,5\r\n");
  await r.expect("+CIPRXGET: 1,0\r\n");
  t.is(await r.cmd("AT+CIPRXGET=4,0"), "\r\n+CIPRXGET: 4,0,5\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+CIPRXGET=3,0,2"), "\r\n+CIPRXGET: 3,0,2,3\r\n000D\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+CIPRXGET=2,0"), "\r\n+CIPRXGET: 2,0,3,0\r\n\n\x1a>\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+CIPCLOSE?"), "\r\n+CIPCLOSE: 1,0,0,0,0,0,0,0,0,0\r\n\r\nOK\r\n");
  r.mark();
  await r.cmd("AT+CIPCLOSE=0");
  await r.expect("+CIPCLOSE: 0,0\r\n");
  t.is(await r.cmd("AT+CIPCLOSE=0"), "\r\n+IP ERROR: Operation not allowed\r\n\r\nERROR\r\n");
  r.mark();
  await r.cmd("AT+NETCLOSE");
  await r.expect("+NETCLOSE: 0\r\n");
  t.deepEqual(r.net.activePdns, []);
});

test("push mode (+CIPRXGET=0) and the peer closing (+IPCLOSE); a refused connection; +CIPOPEN before +NETOPEN", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: SIMCOM_A7670 });
  r.mark();
  await r.cmd('AT+CIPOPEN=1,"TCP","127.0.0.1",' + echo.port);
  await r.expect("+CIPOPEN: 1,2\r\n");
  await r.cmd("AT+NETOPEN");
  r.mark();
  await r.cmd('AT+CIPOPEN=2,"TCP","127.0.0.1",' + (await closedPort()));
  await r.expect("+CIPOPEN: 2,1\r\n");
  r.mark();
  await r.cmd('AT+CIPOPEN=1,"TCP","127.0.0.1",' + echo.port);
  await r.expect("+CIPOPEN: 1,0\r\n");
  await r.raw("AT+CIPSEND=1,2\r", ">");
  r.mark();
  await r.raw("hi", "+CIPSEND: 1,2,2");
  t.regex(await r.expect("+RECEIVE,1,2\r\nhi\r\n"), /\+RECEIVE,1,2\r\nhi\r\n/);
  r.mark();
  echo.clients[0].end();
  await r.expect("+IPCLOSE: 1,1\r\n");
});

test("the network drops the context: +CIPEVENT: NETWORK CLOSED UNEXPECTEDLY, links gone, NETOPEN again works", async (t) => {
  const echo = await echoServer(t);
  const r = await dataRig(t, { identity: SIMCOM_A7670 });
  await r.cmd("AT+CIPRXGET=1;+NETOPEN");
  r.mark();
  await r.cmd('AT+CIPOPEN=0,"TCP","127.0.0.1",' + echo.port);
  await r.expect("+CIPOPEN: 0,0");
  r.mark();
  r.net.pdnDeactivate(1);
  await r.expect("+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY\r\n");
  t.is(await r.cmd("AT+NETOPEN?"), "\r\n+NETOPEN: 0\r\n\r\nOK\r\n");
  // The server sees its connection end (the modem reset it).
  const server = echo.clients[0];
  if (!server.destroyed) await new Promise((res) => server.once("close", res));
  t.true(server.destroyed);
  r.mark();
  await r.cmd("AT+NETOPEN");
  await r.expect("+NETOPEN: 0");
});
