import test from "ava";
import fc from "fast-check";
import { channelRig } from "../support/fake-modem.js";
import { settle } from "../../hal/memory/clock.js";

// Pieces of real modem output, to be mutated and shuffled.
const pieces = [
  "\r\nOK\r\n",
  "\r\nERROR\r\n",
  "\r\n+CME ERROR: 10\r\n",
  "\r\n+CMS ERROR: 500\r\n",
  "\r\nRING\r\n",
  '\r\n+CLIP: "+819012345678",145,"",0,"",0\r\n',
  '\r\n+CMTI: "SM",2\r\n',
  "\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n",
  "\r\n> ",
  "\r\nNO CARRIER\r\n",
  "\r\nRDY\r\n",
  "\r\n+CSQ: 20,99\r\n",
  "AT+CSQ\r",
  "\r\n+CUSD: 0,\"103*7*1#\",15\r\n",
];

const noise = fc.oneof(
  fc.constantFrom(...pieces),
  fc.string({ unit: "binary-ascii", maxLength: 40 }),
  fc.uint8Array({ maxLength: 64 }).map((a) => String.fromCharCode(...a)),
);

const mutated = fc
  .tuple(fc.constantFrom(...pieces), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("flip", "drop", "dup"))
  .map(([p, i, b, how]) => {
    const at = i % p.length;
    if (how === "drop") return p.slice(0, at) + p.slice(at + 1);
    if (how === "dup") return p.slice(0, at) + p[at] + p.slice(at);
    return p.slice(0, at) + String.fromCharCode(b) + p.slice(at + 1);
  });

test("fuzz: under random and mutated modem output every command ends, and memory stays bounded", async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(noise, mutated), { maxLength: 30 }),
      fc.integer({ min: 1, max: 16 }),
      fc.array(fc.constantFrom("AT", "AT+CSQ", "ATD110;", "AT+CMGS=10"), { minLength: 1, maxLength: 5 }),
      async (stream, chunk, cmds) => {
        const { channel, modem, clock } = channelRig({ timeoutMs: 1000, syncTimeoutMs: 500, maxLineLength: 256 }, { chunkSize: chunk });
        let settled = 0;
        for (const c of cmds) {
          const cmd = c === "AT+CMGS=10" ? { cmd: c, mode: "prompt" as const, payload: "00AA" } : { cmd: c, prefixes: ["+CSQ:"] };
          channel.send(cmd).then(
            () => settled++,
            () => settled++,
          );
        }
        for (const piece of stream) {
          await modem.rx(piece);
          // Private by design; a fuzz test may look.
          const buffered = (channel as unknown as { buf: string }).buf.length;
          if (buffered > 256 + 64) return false;
        }
        await clock.advance(cmds.length * 2000 + 2000);
        await settle();
        return settled === cmds.length;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test("fuzz: a byte stream of pure garbage with no line ends never grows the buffer past its bound", async (t) => {
  const { channel, modem } = channelRig({ maxLineLength: 128 });
  const overflows: number[] = [];
  channel.events.on("overflow", (n) => overflows.push(n));
  for (let i = 0; i < 200; i++) {
    await modem.rx("x".repeat(97));
    t.true((channel as unknown as { buf: string }).buf.length <= 128 + 97);
  }
  t.true(overflows.length > 50);
});
