/**
 * systemd's service notification (sd_notify(3)) for `sharedline run` / `start` under a
 * unit of `Type=notify`: READY=1 once the firmware runs, STATUS= as the modem's state
 * changes, WATCHDOG=1 every half of WatchdogSec while the AT channel is not wedged, and
 * STOPPING=1 on a clean stop.
 *
 * The protocol is one Unix datagram per message to $NOTIFY_SOCKET. Node opens no Unix
 * datagram sockets, and the npm packages that do (unix-dgram, sd-notify) are native
 * addons; so each message goes through `systemd-notify` (it ships with systemd, so it is
 * there wherever the socket is), with `--no-block` (no wait for the manager's barrier).
 * Its sender is a child process, which is why the unit says NotifyAccess=all.
 *
 * Without $NOTIFY_SOCKET (not started by systemd) nothing is sent and nothing is spawned.
 */
import { execFile } from "node:child_process";

export interface NotifyDeps {
  env: { [k: string]: string | undefined };
  /** Runs `systemd-notify` with these arguments; calls back with an error when it failed. */
  run(args: string[], done: (err: Error | null) => void): void;
  /** Told once when a message could not be sent (the unit then times out or restarts us). */
  warn(text: string): void;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

const nodeDeps: NotifyDeps = {
  env: process.env,
  run: (args, done) => {
    execFile("systemd-notify", args, { timeout: 5000 }, (err) => done(err));
  },
  warn: (text) => console.error("sharedline: " + text),
  every: (ms, fn) => {
    const h = setInterval(fn, ms);
    h.unref();
    return () => clearInterval(h);
  },
};

/** Keeps STATUS= short and on one line (it is shown by `systemctl status`). */
function statusText(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 200);
}

export class ServiceNotifier {
  /** Whether systemd listens (NOTIFY_SOCKET is set). */
  readonly enabled: boolean;
  /** Half of WatchdogSec (ms), or 0 when the unit sets no watchdog for this process. */
  readonly watchdogEveryMs: number;
  private timer: (() => void) | undefined = undefined;
  private warned = false;

  constructor(private readonly deps: NotifyDeps = nodeDeps) {
    const env = deps.env;
    this.enabled = !!env.NOTIFY_SOCKET;
    const usec = Number(env.WATCHDOG_USEC || 0);
    // WATCHDOG_PID, when set, names the process the watchdog is meant for (sd_watchdog_enabled(3)).
    const forUs = !env.WATCHDOG_PID || env.WATCHDOG_PID === String(process.pid);
    this.watchdogEveryMs = this.enabled && forUs && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : 0;
  }

  /** READY=1 with a status line. */
  ready(status: string): void {
    this.send(["--ready", "--status=" + statusText(status)]);
  }

  status(status: string): void {
    this.send(["--status=" + statusText(status)]);
  }

  stopping(status: string): void {
    this.stopWatchdog();
    this.send(["STOPPING=1", "STATUS=" + statusText(status)]);
  }

  /**
   * Pings the watchdog every half of WatchdogSec while `healthy()` says so; a wedged AT
   * channel stops the pings, so systemd restarts the service (Restart=on-failure).
   */
  startWatchdog(healthy: () => boolean): void {
    if (this.watchdogEveryMs === 0 || this.timer !== undefined) return;
    const ping = () => {
      if (healthy()) this.send(["WATCHDOG=1"]);
    };
    ping();
    this.timer = this.deps.every(this.watchdogEveryMs, ping);
  }

  stopWatchdog(): void {
    if (this.timer !== undefined) this.timer();
    this.timer = undefined;
  }

  private send(args: string[]): void {
    if (!this.enabled) return;
    this.deps.run(["--no-block", ...args], (err) => {
      if (!err || this.warned) return;
      this.warned = true;
      this.deps.warn(`could not notify systemd (systemd-notify ${args[0]}): ${err.message}`);
    });
  }
}
