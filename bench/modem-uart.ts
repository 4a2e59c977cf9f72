/**
 * `npm run bench -- modem-uart`: bytes on the AT serial line (both ways) per companion
 * command round trip (the backend's `cmd` in, the device's `ack` out, QoS 1 both), for
 * the four ways the link crosses a modem: MQTT.js over a Quectel socket (`AT+QISENDEX`,
 * hex both ways), the Quectel MQTT stack (`AT+QMTPUBEX`, hex), MQTT.js over a SIMCom socket
 * (counted raw `AT+CIPSEND`, hex reads) and the SIMCom MQTT stack (counted raw
 * `AT+CMQTTTOPIC/PAYLOAD`). The peer is the Quectel socket path; ratios are against it.
 *
 * Each runs the whole rig of test/companion/e2e-rig.ts: the simulated network and modem,
 * the real firmware with its data session and link, a real aedes broker. Counted: every
 * byte the firmware wrote, and every line it read plus its CR LF (prompts count 1).
 */
import { e2e, roundTrip, type E2eBoard } from "../test/companion/e2e-rig.js";

const ROUNDS = 10;

async function measure(board: E2eBoard, link: "modem-socket" | "modem-mqtt"): Promise<{ tx: number; rx: number }> {
  const e = await e2e(board, link);
  try {
    await roundTrip(e, "warm");
    await new Promise((r) => setTimeout(r, 500));
    let tx = 0;
    let rx = 0;
    const offTx = e.fw.channel.events.on("tx", (b) => (tx += b.length));
    const offRx = e.fw.channel.events.on("rx", (l) => (rx += l.length + 2));
    for (let i = 0; i < ROUNDS; i++) await roundTrip(e, "uart-" + i);
    // The polls after the last send.
    await new Promise((r) => setTimeout(r, 500));
    offTx();
    offRx();
    return { tx: tx / ROUNDS, rx: rx / ROUNDS };
  } finally {
    await e.close();
  }
}

export async function bench(): Promise<void> {
  const rows: { name: string; r: { tx: number; rx: number } }[] = [
    { name: "Quectel socket, hex (peer)", r: await measure("car-linux-eg91", "modem-socket") },
    { name: "Quectel AT+QMT*, hex", r: await measure("watch-bangle2-bg95", "modem-mqtt") },
    { name: "SIMCom socket, raw send", r: await measure("bench-usb-a7670", "modem-socket") },
    { name: "SIMCom AT+CMQTT*, raw", r: await measure("bench-usb-a7670", "modem-mqtt") },
  ];
  const peer = rows[0].r.tx + rows[0].r.rx;
  console.log("AT line bytes per command round trip (cmd in, ack out, QoS 1), mean of " + ROUNDS);
  console.log(`  ${"path".padEnd(28)} ${"to modem".padStart(9)} ${"from modem".padStart(11)} ${"total".padStart(7)} ${"vs peer".padStart(8)}`);
  for (const row of rows) {
    const total = row.r.tx + row.r.rx;
    console.log(`  ${row.name.padEnd(28)} ${row.r.tx.toFixed(0).padStart(9)} ${row.r.rx.toFixed(0).padStart(11)} ${total.toFixed(0).padStart(7)} ${(total / peer).toFixed(2).padStart(8)}`);
  }
}
