/**
 * A command whose outcome comes later in a URC (SIMCom `AT+NETOPEN` then `+NETOPEN:
 * <err>`, `AT+CMQTTCONNECT` then `+CMQTTCONNECT: <client>,<err>`): the URC is listened
 * for before the command is written, so one that comes before the OK is not missed.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { AtChannel, AtCommand } from "../../drivers/at/index.js";

/**
 * Sends `cmd`, then resolves with the first URC line starting with `prefix` that `mine`
 * accepts. Rejects when the command fails or no such URC comes within `ms`.
 */
export function sendForUrc(channel: AtChannel, clock: Clock, cmd: AtCommand, prefix: string, mine: (line: string) => boolean, ms: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let done = false;
    let off: (() => void) | undefined = undefined;
    let timer: TimerHandle | undefined = undefined;
    const finish = (err: Error | undefined, line: string) => {
      if (done) return;
      done = true;
      if (off) off();
      if (timer !== undefined) clock.clearTimeout(timer);
      if (err) reject(err);
      else resolve(line);
    };
    off = channel.onUrc(prefix, (line) => {
      if (mine(line)) finish(undefined, line);
    });
    timer = clock.setTimeout(() => finish(new Error("no " + prefix + " within " + Math.round(ms / 1000) + " s after " + cmd.cmd), ""), ms);
    channel.send(cmd).then(undefined, (e: unknown) => finish(e instanceof Error ? e : new Error(String(e)), ""));
  });
}
