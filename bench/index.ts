/**
 * `npm run bench [name...]`: runs the benchmarks (all by default). Each compares ours
 * with a peer in the same run and prints ratios. Benchmarks, not tests: nothing here
 * asserts a speed.
 */
const benches: { [name: string]: () => Promise<{ bench: () => Promise<void> }> } = {
  at: () => import("./at.js"),
  sms: () => import("./sms.js"),
  line: () => import("./line.js"),
  network: () => import("./network.js"),
  companion: () => import("./companion.js"),
  "modem-uart": () => import("./modem-uart.js"),
  emergency: () => import("./emergency.js"),
  "sim-memory": () => import("./sim-memory.js"),
  rak8212: () => import("./rak8212.js"),
  espruino: () => import("./espruino.js"),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const load = benches[name];
  if (!load) {
    console.error(`bench: unknown benchmark '${name}' (known: ${Object.keys(benches).join(", ")})`);
    process.exit(2);
  }
  console.log(`\n== ${name}`);
  await (await load()).bench();
}
