/**
 * hal/espruino inside the real Espruino interpreter (run by espruino-device.test.ts
 * through test/espruino/run.ts when ESPRUINO_BIN names the Linux build): storage over
 * the interpreter's own `require("Storage")` flash, the CRC and UTF-8 paths that use
 * E.CRC32 / E.fromUTF8 / E.asUTF8, the clock over Espruino's timers (whose ids come
 * back), and the serial and pin wrappers over injected fakes.
 */
import { assert, check, equal, runChecks } from "../espruino/harness.js";
import { StorageCorruptError, StorageError } from "../../hal/errors.js";
import { EspruinoStorage, espruinoStorage } from "../../hal/espruino/storage.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import { crc32, encodeRecord } from "../../hal/record.js";
import { utf8Decode, utf8Encode } from "../../hal/utf8.js";
import { EspruinoClock } from "../../hal/espruino/clock.js";
import { EspruinoSerial } from "../../hal/espruino/serial.js";
import { EspruinoPins } from "../../hal/espruino/pins.js";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Espruino's built-in flash module, not a package
const flash = require("Storage") as FlashStorageModule;

function rejected(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    function () {
      throw new Error("expected a rejection");
    },
    function (err: unknown) {
      return err;
    },
  );
}

check("crc32 uses E.CRC32 and gives the standard check value", function () {
  assert(typeof E !== "undefined" && typeof E.CRC32 === "function", "E.CRC32 present on this build");
  equal(crc32("123456789"), 0xcbf43926, "CRC-32 of 123456789");
  equal(crc32(""), 0, "CRC-32 of nothing");
});

check("utf8: text with chars above 0xFF round-trips through E.fromUTF8 / E.asUTF8", function () {
  const s = "SMS \u65e5\u672c\u8a9e \u00e9";
  const bytes = utf8Encode(s);
  equal(bytes.length, 4 + 9 + 1 + 2, "UTF-8 byte count");
  equal(bytes.charCodeAt(4), 0xe6, "first byte of U+65E5");
  const back = utf8Decode(bytes);
  assert(back.ok, "decoded");
  if (back.ok) {
    equal(back.text.length, s.length, "length");
    equal(back.text.charCodeAt(4), 0x65e5, "U+65E5");
    assert(back.text === s, "same string");
  }
  const latin = String.fromCharCode(0x41, 0xe9, 0xff);
  const lb = utf8Decode(utf8Encode(latin));
  assert(lb.ok && lb.text === latin, "byte string with 0x80..0xFF round-trips");
});

check("storage on the interpreter's flash: write, read, overwrite, list, remove", function () {
  const s = espruinoStorage();
  return s
    .write("hal.a", "one")
    .then(function () {
      return s.write("hal.b", "two");
    })
    .then(function () {
      return s.read("hal.a");
    })
    .then(function (v) {
      equal(v, "one", "read back");
      return s.write("hal.a", "uno");
    })
    .then(function () {
      return s.read("hal.a");
    })
    .then(function (v) {
      equal(v, "uno", "overwritten");
      const names = flash.list().filter(function (n) {
        return n.indexOf("hal.a~") === 0;
      });
      equal(names.length, 1, "one slot file at rest: " + names.join(","));
      return s.list("hal.");
    })
    .then(function (keys) {
      equal(keys, ["hal.a", "hal.b"], "list");
      return s.remove("hal.a");
    })
    .then(function () {
      return s.read("hal.a");
    })
    .then(function (v) {
      equal(v, undefined, "removed");
      return s.remove("hal.b");
    });
});

check("storage on the interpreter's flash: non-ASCII and 4 KB values", function () {
  const s = new EspruinoStorage(flash);
  let big = "";
  for (let i = 0; i < 256; i++) big += "0123456789abcdef";
  const text = "\u65e5\u672c \u00e9\u00ff \ud83d\ude00".substr(0, 7);
  return s
    .write("hal.big", big)
    .then(function () {
      return s.read("hal.big");
    })
    .then(function (v) {
      assert(v === big, "4 KB value back");
      return s.write("hal.txt", text);
    })
    .then(function () {
      return s.read("hal.txt");
    })
    .then(function (v) {
      assert(v === text, "text back: " + JSON.stringify(v));
      return s.remove("hal.big");
    })
    .then(function () {
      return s.remove("hal.txt");
    });
});

check("storage on the interpreter's flash: a damaged record is StorageCorruptError, a torn one is ignored", function () {
  const s = new EspruinoStorage(flash);
  return s
    .write("hal.c", "value")
    .then(function () {
      const name = flash.read("hal.c~a") !== undefined ? "hal.c~a" : "hal.c~b";
      const rec = flash.read(name) as string;
      const bad = rec.substr(0, 20) + (rec.charAt(20) === "x" ? "y" : "x") + rec.substr(21);
      flash.write(name, bad, 0, bad.length);
      return rejected(s.read("hal.c"));
    })
    .then(function (err) {
      assert(StorageCorruptError.is(err), "StorageCorruptError");
      return s.remove("hal.c");
    })
    .then(function () {
      const rec = encodeRecord("torn", 1);
      flash.write("hal.t~a", rec.substr(0, 10), 0, rec.length);
      return s.read("hal.t");
    })
    .then(function (v) {
      equal(v, undefined, "torn first write reads as nothing");
      return s.list("hal.t");
    })
    .then(function (keys) {
      equal(keys, [], "and is not listed");
      return s.write("hal.t", "whole");
    })
    .then(function () {
      return s.read("hal.t");
    })
    .then(function (v) {
      equal(v, "whole", "rewritten");
      return s.remove("hal.t");
    });
});

check("storage: bad keys are a StorageError", function () {
  const s = new EspruinoStorage(flash);
  return rejected(s.write("a/b", "x")).then(function (err) {
    assert(StorageError.is(err), "StorageError");
  });
});

check("clock: order by delay, clear, and a stale handle never cancels a newer timer", function () {
  const clock = new EspruinoClock();
  const fired: string[] = [];
  return new Promise<void>(function (resolve) {
    clock.setTimeout(function () {
      fired.push("30");
    }, 30);
    clock.setTimeout(function () {
      fired.push("10");
    }, 10);
    const gone = clock.setTimeout(function () {
      fired.push("cleared");
    }, 20);
    clock.clearTimeout(gone);
    const first = clock.setTimeout(function () {
      fired.push("first");
      // Espruino may hand the fired timer's id to the next one.
      clock.setTimeout(function () {
        fired.push("second");
      }, 5);
      clock.clearTimeout(first);
    }, 1);
    clock.setTimeout(function () {
      resolve();
    }, 60);
  }).then(function () {
    // Real timers on a loaded host: "first" (1 ms) may fire late enough that "second"
    // (5 ms after it) comes after "10"; only the orders the clock promises are checked.
    equal(fired.filter((f) => f === "first" || f === "second"), ["first", "second"], "a timer set from a firing one fires, a stale handle did not cancel it");
    equal(fired.filter((f) => f === "10" || f === "30"), ["10", "30"], "order by delay");
    equal(fired.length, 4, "the cleared timer never fired: " + fired.join(","));
    assert(Math.abs(clock.now() - Date.now()) < 5, "now() is Date.now()");
  });
});

check("serial: a UTF-8-flagged string of bytes goes out as those bytes; wider chars are refused", function () {
  const sent: string[] = [];
  let handler: ((d: string) => void) | undefined = undefined;
  const uart: EspruinoUart = {
    setup: function () {
      return undefined;
    },
    on: function (_e: "data", h: (d: string) => void) {
      handler = h;
    },
    removeListener: function () {
      handler = undefined;
    },
    write: function (d: string) {
      sent.push(d);
    },
  };
  const s = new EspruinoSerial(uart, { baud: 115200 });
  const got: string[] = [];
  s.onData(function (c) {
    got.push(c);
  });
  return s
    .write("AT\u00e9\r")
    .then(function () {
      equal(sent.length, 1, "one write");
      equal(sent[0].length, 4, "four bytes, not UTF-8");
      equal(sent[0].charCodeAt(2), 0xe9, "0xE9 as one byte");
      if (E.isUTF8) assert(!E.isUTF8(sent[0]), "plain byte string");
      return rejected(s.write("\u3042"));
    })
    .then(function (err) {
      assert(/not a byte string/.test((err as Error).message), "refused");
      if (handler) handler("OK\r\n");
      equal(got, ["OK\r\n"], "data delivered");
      return s.close();
    })
    .then(function () {
      assert(handler === undefined, "listener removed");
    });
});

check("pins: polarity and direction through injected digitalWrite/digitalRead", function () {
  const levels: { [p: string]: number } = { D26: 0 };
  const pins = new EspruinoPins(
    { powerKey: { pin: "D31", activeHigh: true }, ringIndicator: { pin: "D26", activeHigh: false } },
    {
      digitalWrite: function (p: string, v: number) {
        levels[p] = v;
      },
      digitalRead: function (p: string) {
        return levels[p];
      },
    },
  );
  return pins
    .write("powerKey", true)
    .then(function () {
      equal(levels.D31, 1, "power key high");
      return pins.read("ringIndicator");
    })
    .then(function (ri) {
      equal(ri, true, "active-low RI asserted at level 0");
      return rejected(pins.read("powerKey"));
    })
    .then(function (err) {
      assert(/output/.test((err as Error).message), "reading an output refused");
    });
});

runChecks();
