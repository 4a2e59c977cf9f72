/**
 * R52: the device's own position for its emergency calls. The 27.007 §8.55 `<pos>` writer
 * of drivers/modems/positioning.ts (23.032 §6.2 shapes) read back by the simulator's own
 * reader, the API's checks, and the firmware's answers to `+CPOSR` (a fix only for an
 * emergency call, `pos_err` otherwise) on the simulated modem.
 */
import test from "ava";
import { positionErrorXml, positionRequestKind, positionXml, uncertaintyCode } from "../../drivers/modems/positioning.js";
import { POSITION_REQUEST, readPosition } from "../../sim/modem/commands/positioning.js";
import { simRig } from "../support/sim-rig.js";

test("R52: 23.032 §6.2 coordinates: latitude sign and 2^23 steps of 90°, longitude 2^24 steps of 360° two's complement, read back within the shape's resolution", (t) => {
  const cases = [
    { lat: 35.6586, lon: 139.7454 },
    { lat: -33.8568, lon: 151.2153 },
    { lat: 40.6892, lon: -74.0445 },
    { lat: 0, lon: 0 },
    { lat: 90, lon: 180 },
    { lat: -90, lon: -180 },
  ];
  for (const c of cases) {
    const xml = positionXml({ lat: c.lat, lon: c.lon, atMs: 0, source: "gnss" });
    t.true(xml.indexOf("<ellipsoid_point><coordinate>") > 0, xml);
    const back = readPosition(xml);
    t.is(back.error, undefined, xml);
    // One step is 90/2^23 ≈ 1.07e-5° of latitude and 360/2^24 ≈ 2.15e-5° of longitude.
    t.true(Math.abs(back.fix!.lat - c.lat) <= 1.1e-5, c.lat + " -> " + back.fix!.lat);
    t.true(Math.abs(back.fix!.lon - c.lon) <= 2.2e-5, c.lon + " -> " + back.fix!.lon);
  }
  t.regex(positionXml({ lat: -1, lon: 0, atMs: 0, source: "gnss" }), /<north>1<\/north>/, "south is the sign bit");
  t.regex(positionXml({ lat: 0, lon: -180, atMs: 0, source: "gnss" }), /<longitude>-8388608<\/longitude>/);
});

test("R52: the uncertainty code K of 23.032 §6.2 (r = 10·(1.1^K − 1) m) never claims better than the fix is", (t) => {
  t.is(uncertaintyCode(0), 0);
  for (const m of [1, 8, 50, 1000, 100000]) {
    const k = uncertaintyCode(m);
    const r = 10 * (Math.pow(1.1, k) - 1);
    t.true(r >= m - 1e-9 && 10 * (Math.pow(1.1, k - 1) - 1) < m, m + " m -> K=" + k + " (" + r + " m)");
  }
  t.is(uncertaintyCode(1e9), 127, "clamped to the field");
  const back = readPosition(positionXml({ lat: 35, lon: 139, accuracyM: 8, atMs: 0, source: "gnss" }));
  t.is(back.fix!.uncertaintyM, 9, "8 m is sent as K=7, about 9 m");
});

test("R52: a request is told from an abort and from assistance data; pos_err carries its reason", (t) => {
  t.is(positionRequestKind("+CPOSR: " + POSITION_REQUEST), "measure");
  t.is(positionRequestKind("+CPOSR: <pos><pos_meas><meas_abort/></pos_meas></pos>"), "abort");
  t.is(positionRequestKind("+CPOSR: <pos><assist_data><GPS_assist/></assist_data></pos>"), "other");
  t.deepEqual(readPosition(positionErrorXml("not_enough_gps_satellites")), { error: "not_enough_gps_satellites" });
});

test("R52: setLocation refuses what is not a position, with its reason; null forgets the fix", async (t) => {
  const r = await simRig();
  for (const bad of [
    { lat: 95, lon: 0 },
    { lat: 10, lon: -181 },
    { lat: Number.NaN, lon: 0 },
    { lat: 10, lon: 10, accuracyM: -1 },
  ]) {
    const reply = await r.fw.api.setLocation(bad);
    t.false(reply.ok, JSON.stringify(bad));
    if (!reply.ok) t.is(reply.reason, "badLocation");
  }
  const good = await r.fw.api.setLocation({ lat: 35.6586, lon: 139.7454 });
  t.true(good.ok);
  t.deepEqual(await r.fw.api.setLocation(null), { ok: true, location: null });
});

test("R52: outside an emergency call the firmware never gives its position (pos_err); during one it sends its fresh fix", async (t) => {
  const r = await simRig();
  const reports: unknown[] = [];
  r.fw.api.events.on("position", (p) => reports.push(p));
  t.true((await r.fw.api.setLocation({ lat: 35.6586, lon: 139.7454, accuracyM: 20 })).ok);
  const sent = () => r.commands.filter((c) => c === "AT+CPOS").length;
  r.modem.urc("+CPOSR: " + POSITION_REQUEST);
  await r.run(500);
  t.is(sent(), 1, "answered, so the network does not wait");
  t.like(reports[0], { given: "error", reason: "not in an emergency call", fix: null });

  const d = await r.act(r.fw.api.dial("110"));
  t.true(d.ok);
  await r.run(500);
  r.modem.urc("+CPOSR: " + POSITION_REQUEST);
  await r.run(500);
  t.is(sent(), 2);
  t.like(reports[1], { given: "location", reason: "", fix: { lat: 35.6586, lon: 139.7454, accuracyM: 20, source: "gnss" } });
  // An abort asks nothing.
  r.modem.urc("+CPOSR: <pos><pos_meas><meas_abort/></pos_meas></pos>");
  await r.run(500);
  t.is(sent(), 2);
});
