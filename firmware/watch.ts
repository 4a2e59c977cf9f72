/**
 * The watch's own code in control: what a device running the firmware offers its app
 * code and its console (Espruino's REPL), over the one firmware API (firmware/api.ts,
 * docs/api.md). Portable, so Node tests drive it too; hal/espruino/boot.ts installs it.
 *
 * - `sharedline` (a global on the watch) is the firmware API itself: app code shows the
 *   incoming-call screen on `sharedline.events.on("incoming", ...)`, answers with
 *   `sharedline.answer()`, rejects, dials, lists `sharedline.inbox()`, reacts to
 *   `smsReceived`, sets the SMS priority with `sharedline.prioritySet()` or
 *   `sharedline.serviceCode("*103*1#")`; every command answers `{ok, ...}`.
 * - `sl("<text command>")` runs any console command (firmware/commands.ts: `sl("dial
 *   110")`, `sl("text +8190... hi")`, `sl("code *103*1#")`, `sl("help")`) and prints its
 *   reply; the bare words `answer`, `reject`, `hangup`, `hold`, `calls`, `log`, `inbox`,
 *   `outbox`, `status` and `priority`, typed at the REPL, run the command of that name
 *   (getters on the global object), so a bench user connected with the Espruino IDE or
 *   CLI types `answer`, without `()` (the getter runs on reading the word, and there is
 *   no function to call after it).
 * - One console line per API event (firmware/api/words.ts) unless the device settings
 *   say `quiet` (`npm run flash -- --quiet`); command replies are always printed.
 */
import type { Firmware } from "./main.js";
import { runCommand } from "./commands.js";
import { describeEvent, describeReply } from "./api/words.js";
import type { AnyReply } from "./api/types.js";

/** What the device gives the watch surface. */
export interface WatchHost {
  /** One console line. */
  print(line: string): void;
}

/** The bare words the console offers (commands without arguments). */
export const CONSOLE_WORDS = ["answer", "reject", "hangup", "hold", "calls", "log", "inbox", "outbox", "status", "priority"];

/** Runs console text commands against the firmware API and prints their replies. */
export class WatchConsole {
  /** No console line per event while true (command replies are always printed). */
  quiet: boolean;

  constructor(
    private readonly fw: Firmware,
    private readonly host: WatchHost,
    quiet: boolean,
  ) {
    this.quiet = quiet;
  }

  /** Runs one text command; resolves with its reply once printed. Never rejects. */
  command(line: string): Promise<AnyReply> {
    const host = this.host;
    const text = String(line).trim();
    return runCommand(this.fw.api, text).then(function (r) {
      host.print(describeReply(text, r));
      return r;
    });
  }
}

/** Builds the console over `fw` and prints one line per API event unless quiet. */
export function installWatch(fw: Firmware, host: WatchHost, quiet: boolean): WatchConsole {
  const c = new WatchConsole(fw, host, quiet);
  fw.api.onAny(function (name, data) {
    // An event with no words is no news to a person (words.ts): no empty line for it.
    const words = c.quiet ? "" : describeEvent(name, data);
    if (words) host.print(words);
  });
  return c;
}
