/**
 * Threat model (docs/threat-model.md), the simulator's HTTP control interface: who can
 * reach it. It listens on loopback only, and a web page in the user's browser that sends a
 * "simple" cross-site POST to it (no CORS preflight) is refused by the same-origin guard.
 */
import test from "ava";
import { startControl } from "../../sim/serve/http-control.js";
import { startNumberServer } from "../../sim/serve/number-server.js";
import { ALICE } from "../serve/helpers.js";

async function control(t: import("ava").ExecutionContext) {
  const server = await startNumberServer({ accessories: 1, transport: { kind: "tcp", basePort: 0, host: "127.0.0.1" }, virtualTime: true });
  const c = await startControl(server, 0);
  t.teardown(async () => {
    await c.close();
    await server.close();
  });
  return c;
}

test("threat: the control interface listens on 127.0.0.1 unless told otherwise (no other host can reach it)", async (t) => {
  const c = await control(t);
  t.is(c.host, "127.0.0.1");
  t.regex(c.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test("threat: a web page's cross-site text/plain POST (no preflight) is refused with 403", async (t) => {
  const c = await control(t);
  // What a page on another site can send without a CORS preflight (Fetch "simple request").
  const res = await fetch(c.url + "/outside/" + encodeURIComponent(ALICE) + "/call", {
    method: "POST",
    headers: { "content-type": "text/plain", origin: "http://evil.example" },
    body: JSON.stringify({ to: "+819012345678" }),
  });
  await res.text();
  t.is(res.status, 403);
});
