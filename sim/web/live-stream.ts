/**
 * `/live/events`: the live view's server-sent events (WHATWG HTML §9.2). Each client
 * gets a `snapshot` event at once and another whenever the network's event log moves
 * or a control request was answered, at most one per turn of the event loop (a burst
 * of log entries from one decision becomes one snapshot). A comment line every 15 s
 * keeps proxies from closing an idle stream.
 */
import type http from "node:http";
import type { NumberServer } from "../serve/number-server.js";
import { SmsTracker, liveSnapshot } from "./live-state.js";

const KEEPALIVE_MS = 15000;

export class LiveStreams {
  private readonly clients = new Set<http.ServerResponse>();
  private pending = false;
  private readonly stopLog: () => void;
  private readonly keepalive: NodeJS.Timeout;
  private readonly t0: number;

  constructor(
    private readonly server: NumberServer,
    private readonly sms: SmsTracker,
  ) {
    this.t0 = server.clock.now();
    this.stopLog = server.net.log.on(() => this.poke());
    this.keepalive = setInterval(() => {
      for (const c of this.clients) c.write(": keepalive\n\n");
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  open(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
    // A client that reconnects waits 2 s, not the browser's default.
    res.write("retry: 2000\n\n");
    this.clients.add(res);
    this.send([res]);
    req.on("close", () => this.clients.delete(res));
  }

  /** Something may have changed: every client gets a snapshot on the next turn. */
  poke(): void {
    if (this.pending || this.clients.size === 0) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.send(Array.from(this.clients));
    });
  }

  private send(to: http.ServerResponse[]): void {
    if (to.length === 0) return;
    const snap = liveSnapshot(this.server, this.sms, this.t0);
    const frame = "event: snapshot\nid: " + snap.lastSeq + "\ndata: " + JSON.stringify(snap) + "\n\n";
    for (const c of to) c.write(frame);
  }

  close(): void {
    this.stopLog();
    clearInterval(this.keepalive);
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
