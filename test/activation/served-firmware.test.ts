/**
 * The real firmware over TCP to a brand-new accessory of `sharedline sim --unprovisioned`
 * (the number served in this process, the firmware on the real clock): it says how to
 * register, P's app registers it over the HTTP control interface, and it goes active
 * (SPEC R7, R8, R11, R18).
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { NoPins } from "../../hal/node/pins.js";
import { openNodeSerial } from "../../hal/node/serial.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware } from "../../firmware/main.js";
import { realClock, served, when } from "../serve/helpers.js";

const boards = loadBoards(JSON.parse(readFileSync(new URL("../../boards.json", import.meta.url), "utf8")));

test("R7 R8 R11 R18: firmware over TCP on an unprovisioned served modem: how to register, POST /phone/register, active; POST /phone/unregister, not active", async (t) => {
  const s = await served(t, { accessories: 1, unprovisioned: 1 });
  const serial = await openNodeSerial(s.server.accessories[0].where);
  const fw = createFirmware({ serial, clock: realClock(t), pins: new NoPins(), storage: undefined }, pickBoard(boards, "sim-generic"));
  t.teardown(() => {
    fw.stop();
    return serial.close();
  });
  const state = (want: string) => when(want, (changed) => fw.activation.events.on("activation", changed), () => (fw.activation.status().state === want ? fw.activation.status() : undefined), 30000);
  fw.start();
  const first = await state("noProfile");
  t.is(first.imei, s.server.accessories[0].imei);
  t.regex(first.eid, /^\d{32}$/);
  const r = await s.api("POST", "/phone/register", { accessory: first.imei });
  t.like(r.body, { ok: true, subscriptionResult: 2, downloaded: true });
  const active = await state("active");
  t.is(active.iccid, r.body.iccid);
  const off = await s.api("POST", "/phone/unregister", { accessory: first.imei.slice(-4) });
  t.like(off.body, { ok: true, serviceStatus: 3 });
  t.is((await state("notActive")).message, "One Number is not active on this device");
});
